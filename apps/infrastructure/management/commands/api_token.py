"""Create or revoke a project API token from the shell (deployment scripts, benchmarks, demos).

The admin console is the usual place; this goes through the same services, so the
token is stored hashed and its creation is on the project's record.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.infrastructure.models import ApiToken
from apps.infrastructure.services import api_token_create, api_token_revoke
from apps.projects.models import Project
from apps.projects.permissions import LANE_PERMISSIONS


class Command(BaseCommand):
    help = "Create a project API token and print its key once (or --revoke PREFIX)."

    def add_arguments(self, parser):
        parser.add_argument("--project", help="Project id or exact title.")
        parser.add_argument("--user", required=True, help="A decision maker of the project.")
        parser.add_argument("--name", default="CLI token")
        parser.add_argument(
            "--scopes",
            default=",".join(ApiToken.Scope.values),
            help="Comma-separated: " + ", ".join(ApiToken.Scope.values),
        )
        parser.add_argument("--revoke", metavar="PREFIX", help="Revoke the token with this prefix.")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user {options['user']!r}.")
        if options["revoke"]:
            token = ApiToken.objects.filter(prefix=options["revoke"]).first()
            if token is None or not self._may_manage(user, token.project):
                raise CommandError("No such token, or not one of your projects.")
            api_token_revoke(token=token, actor=user)
            self.stdout.write(f"revoked {token.prefix}")
            return
        project = self._project(options["project"])
        if not self._may_manage(user, project):
            raise CommandError(f"{user} is not a decision maker of {project}.")
        scopes = [scope.strip() for scope in options["scopes"].split(",") if scope.strip()]
        try:
            _token, key = api_token_create(
                project=project, name=options["name"], scopes=scopes, actor=user
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(key)

    def _project(self, value):
        if not value:
            raise CommandError("--project is required.")
        lookup = {"pk": int(value)} if value.isdigit() else {"title": value}
        project = Project.objects.filter(**lookup).first()
        if project is None:
            raise CommandError(f"No project {value!r}.")
        return project

    def _may_manage(self, user, project) -> bool:
        return user.is_superuser or user.has_perm(LANE_PERMISSIONS["strategic"], project)
