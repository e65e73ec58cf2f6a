"""Write the life cycle as a BPMN 2.0 file, optionally with one project's state."""

from django.core.management.base import BaseCommand, CommandError

from apps.notation.bpmn import bpmn_xml
from apps.projects.models import Project


class Command(BaseCommand):
    help = "Export the life cycle as a BPMN 2.0 collaboration generated from the flow."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")
        parser.add_argument(
            "--project", type=int, help="add this project's done and active nodes in an extension"
        )

    def handle(self, *args, output=None, project=None, **options):
        subject = None
        if project is not None:
            subject = Project.objects.filter(pk=project).select_related("process").first()
            if subject is None:
                raise CommandError(f"No project {project}.")
        xml = bpmn_xml(project=subject)
        if output:
            with open(output, "wb") as handle:
                handle.write(xml)
            self.stderr.write(f"Wrote {output} ({len(xml)} bytes)")
        else:
            self.stdout.write(xml.decode(), ending="")
