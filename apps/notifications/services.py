"""Scheduled review emails: task digests, strategic reminders, escalations, retirement notices.

Every send first claims its row in the SentEmail ledger inside a transaction and
sends before the commit: a second beat for the same period finds the row and
sends nothing; a failed send rolls the row back so the next beat tries again.
"""

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.lifecycle.models import LifecycleTask
from apps.lifecycle.selectors import OPEN_HUMAN_STATUSES, task_due_at
from apps.projects.models import Membership, Team

from .models import Preference, SentEmail

logger = logging.getLogger(__name__)


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def frequency_of(user) -> str:
    preference = Preference.objects.filter(user=user).first()
    return preference.frequency if preference else Preference.Frequency.DAILY


@transaction.atomic
def preference_set(*, user, frequency: str) -> Preference:
    preference, _ = Preference.objects.update_or_create(
        user=user, defaults={"frequency": frequency}
    )
    return preference


def _send_once(*, kind: str, user, key: str, subject: str, template: str, context: dict) -> bool:
    if not user.email or frequency_of(user) == Preference.Frequency.NEVER:
        return False
    try:
        with transaction.atomic():
            SentEmail.objects.create(kind=kind, user=user, key=key)
            context = {
                **context,
                "user": user,
                "site_url": settings.SITE_URL,
                "preferences_url": absolute(reverse("notifications:preferences")),
            }
            message = EmailMultiAlternatives(
                subject=f"[LLMOps] {subject}",
                body=render_to_string(f"notifications/email/{template}.txt", context),
                to=[user.email],
            )
            message.attach_alternative(
                render_to_string(f"notifications/email/{template}.html", context), "text/html"
            )
            message.send()
    except IntegrityError:
        return False  # already sent for this key
    except (OSError, SMTPException):
        # The ledger row rolled back with the failed send: the next beat tries again.
        logger.exception("could not send %s email to %s", kind, user.get_username())
        return False
    logger.info("sent %s email to %s (%s)", kind, user.get_username(), key)
    return True


def _open_human_tasks():
    return (
        LifecycleTask.objects.filter(flow_task_type="HUMAN", status__in=OPEN_HUMAN_STATUSES)
        .select_related("process__project__policy", "owner")
        .order_by("created")
    )


def _task_row(task, now):
    due = task_due_at(task)
    return {
        "title": task.flow_task.task_title,
        "project": task.process.project.title,
        "lane": task.flow_task.lane_label,
        "due": due,
        "overdue": due < now,
        "url": absolute(task.flow_task.reverse("index", args=[task.process_id, task.pk])),
    }


def _period_key(now: datetime, frequency: str) -> str | None:
    if frequency == Preference.Frequency.WEEKLY:
        if now.weekday() != 0:
            return None
        year, week, _ = now.isocalendar()
        return f"{year}-W{week:02d}"
    return now.date().isoformat()


def digests_send(*, now=None) -> int:
    """Each user with open tasks gets their tasks, overdue first, once per period."""
    from apps.lifecycle.flows import LifecycleFlow

    now = now or timezone.now()
    sent = 0
    for user in get_user_model().objects.filter(is_active=True).exclude(email=""):
        key = _period_key(now, frequency_of(user))
        if key is None:
            continue
        manager = LifecycleTask.objects
        tasks = list(
            manager.inbox([LifecycleFlow], user).select_related("process__project__policy")
        )
        tasks += list(
            manager.queue([LifecycleFlow], user).select_related("process__project__policy")
        )
        if not tasks:
            continue
        rows = sorted(
            (_task_row(t, now) for t in tasks), key=lambda r: (not r["overdue"], r["due"])
        )
        sent += _send_once(
            kind=SentEmail.Kind.DIGEST,
            user=user,
            key=key,
            subject=f"{len(rows)} task(s) waiting for you",
            template="digest",
            context={
                "rows": rows,
                "inbox_url": absolute(LifecycleFlow.instance.reverse("inbox")),
                "queue_url": absolute(LifecycleFlow.instance.reverse("queue")),
            },
        )
    return sent


def _strategic_members(project_ids):
    members = defaultdict(set)
    for membership in Membership.objects.filter(
        project_id__in=project_ids, team=Team.STRATEGIC, user__is_active=True
    ).select_related("user"):
        members[membership.project_id].add(membership.user)
    return members


def reminders_send(*, now=None) -> int:
    """Strategic members hear of assessments awaiting their decision and of overdue tasks."""
    now = now or timezone.now()
    awaiting, overdue = defaultdict(list), defaultdict(list)
    for task in _open_human_tasks():
        if task.flow_task.name == "review_assessment":
            awaiting[task.process.project.pk].append(_task_row(task, now))
        elif task_due_at(task) < now:
            overdue[task.process.project.pk].append(_task_row(task, now))
    members = _strategic_members(set(awaiting) | set(overdue))
    per_user = defaultdict(lambda: {"awaiting": [], "overdue": []})
    for project_id, users in members.items():
        for user in users:
            per_user[user]["awaiting"] += awaiting.get(project_id, [])
            per_user[user]["overdue"] += overdue.get(project_id, [])
    sent = 0
    for user, context in per_user.items():
        sent += _send_once(
            kind=SentEmail.Kind.REMINDER,
            user=user,
            key=now.date().isoformat(),
            subject=f"{len(context['awaiting'])} assessment(s) to decide, "
            f"{len(context['overdue'])} overdue task(s)",
            template="reminder",
            context=context,
        )
    return sent


def escalations_send(*, now=None) -> int:
    """Once per task: its project's strategic team and its owner hear that it is overdue."""
    now = now or timezone.now()
    late = [t for t in _open_human_tasks() if task_due_at(t) < now]
    members = _strategic_members({t.process.project.pk for t in late})
    sent = 0
    for task in late:
        recipients = set(members.get(task.process.project.pk, ()))
        if task.owner_id:
            recipients.add(task.owner)
        row = _task_row(task, now)
        for user in recipients:
            sent += _send_once(
                kind=SentEmail.Kind.ESCALATION,
                user=user,
                key=f"task:{task.pk}",
                subject=f"Overdue: {row['title']} ({row['project']})",
                template="escalation",
                context={"row": row, "owner": task.owner},
            )
    return sent


def retirement_notice_send(*, project) -> int:
    """Both teams learn that the retirement policy retired their project automatically."""
    assessment = project.assessments.order_by("-id").first()
    users = {m.user for m in Membership.objects.filter(project=project).select_related("user")}
    return sum(
        _send_once(
            kind=SentEmail.Kind.RETIREMENT,
            user=user,
            key=f"project:{project.pk}",
            subject=f"{project.title} is being retired automatically",
            template="retirement",
            context={
                "project": project,
                "assessment": assessment,
                "project_url": absolute(reverse("projects:detail", args=[project.pk])),
            },
        )
        for user in users
    )


def retirement_notices_send(*, now=None) -> int:
    """Catch up on automatic retirements of the last week whose notice is not out yet."""
    from apps.operations.models import Assessment

    since = (now or timezone.now()) - timedelta(days=7)
    projects = {
        a.project
        for a in Assessment.objects.filter(
            retirement_triggered=True, created_at__gte=since
        ).select_related("project")
    }
    return sum(retirement_notice_send(project=project) for project in projects)
