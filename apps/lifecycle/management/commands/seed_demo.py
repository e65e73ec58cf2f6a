"""Create demo users and projects at different stages of the life cycle (idempotent)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.lifecycle.demo import STEP_DATA, evaluation_data, telemetry_for
from apps.lifecycle.jobs import operation_tick
from apps.lifecycle.models import LifecycleTask
from apps.lifecycle.services import lifecycle_start, task_complete
from apps.operations.models import OperationPolicy
from apps.projects.models import Project

PASSWORD = "demo"  # noqa: S105 - demo logins only exist where DEMO_LOGINS_ALLOWED is on

USERS = {
    # username: (first name, staff, superuser, groups)
    "admin": ("Ada", True, True, []),
    "strategist": ("Sam", True, False, ["Decision makers"]),
    "operator": ("Omar", False, False, []),
    "auditor": ("Aud", False, False, ["Auditors"]),
    "dana": ("Dana", False, False, []),
}

# title: (the open task to stop at, or "retired"; an extra operational member)
PROJECTS = {
    "Invoice triage assistant": ("define_scope", None),
    "Sales email drafter": ("derive_requirements", "dana"),
    "Contract clause extractor": ("finalize_blueprint", None),
    "Customer support assistant": ("review_assessment", None),
    "Legacy FAQ bot": ("retired", None),
}


class Command(BaseCommand):
    help = "Create demo users (password 'demo') and demo projects at different stages."

    def handle(self, *args, **options):
        if not settings.DEMO_LOGINS_ALLOWED:
            raise CommandError(
                "Demo logins are refused here: DEMO_LOGINS_ALLOWED is off (DEBUG off?)."
            )
        users = self.seed_users()
        for title, (stage, extra) in PROJECTS.items():
            if Project.objects.filter(title=title).exists():
                continue
            self.seed_project(title, stage, users, extra)
            self.stdout.write(f"  project '{title}' at {stage}")
        self.stdout.write(self.style.SUCCESS("Demo logins (password 'demo'):"))
        for username in USERS:
            self.stdout.write(f"  {username}")
        self.stdout.write("Open http://127.0.0.1:8000/ and log in.")

    @transaction.atomic
    def seed_users(self):
        decision_makers, _ = Group.objects.get_or_create(name="Decision makers")
        decision_makers.permissions.add(
            Permission.objects.get(codename="add_project", content_type__app_label="projects")
        )
        auditors, _ = Group.objects.get_or_create(name="Auditors")
        auditors.permissions.add(
            Permission.objects.get(codename="view_project", content_type__app_label="projects")
        )
        groups = {"Decision makers": decision_makers, "Auditors": auditors}
        users = {}
        for username, (first_name, staff, superuser, group_names) in USERS.items():
            user, created = get_user_model().objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first_name,
                    "email": f"{username}@example.com",
                    "is_staff": staff,
                    "is_superuser": superuser,
                },
            )
            if created:
                user.set_password(PASSWORD)
                user.save()
            user.groups.add(*(groups[name] for name in group_names))
            users[username] = get_user_model().objects.get(pk=user.pk)  # fresh permission caches
        return users

    def seed_project(self, title, stage, users, extra):
        strategist, operator = users["strategist"], users["operator"]
        operational = [operator] + ([users[extra]] if extra else [])
        project = lifecycle_start(
            actor=strategist,
            title=title,
            sponsor="Head of Customer Operations",
            use_case=f"{title}: an LLM that helps the business.",
            desired_outcome="task_automation",
            strategic_members=[strategist],
            operational_members=operational,
        )
        policy = OperationPolicy.objects.filter(project=project)
        # Windows of zero let the seed run monitoring and an assessment right away.
        policy.update(monitoring_window=timedelta(0), assessment_interval=timedelta(0))
        actors = {"strategic": strategist, "operational": operator}
        for _step in range(100):
            project.refresh_from_db()
            if project.process.status == "DONE":
                break
            tasks = list(
                LifecycleTask.objects.filter(process=project.process, flow_task_type="HUMAN")
                .exclude(status__in=["DONE", "CANCELED"])
                .order_by("id")
            )
            if any(task.flow_task.name == stage for task in tasks):
                break
            if not tasks:
                telemetry_for(project, hours=2)
                operation_tick()
                continue
            task = tasks[0]
            name = task.flow_task.name
            data = evaluation_data(project) if name == "evaluate_artifact" else STEP_DATA[name]
            if name == "review_assessment" and stage == "retired":
                data = {"decision": "retire", "rationale": "Value below expectations; superseded."}
            task_complete(task=task, actor=actors[task.flow_task.lane], data=data)
        policy.update(
            monitoring_window=timedelta(minutes=5), assessment_interval=timedelta(hours=1)
        )
        return project
