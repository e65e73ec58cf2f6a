"""What the strategic team (decision makers) records along the life cycle."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.projects.models import ProjectRecord, plain_number


class Scope(ProjectRecord):
    """Outline scope and objectives (define_scope): the KPIs every assessment measures."""

    scope = models.TextField(_("scope"))
    objectives = models.TextField(_("objectives"))

    class Meta(ProjectRecord.Meta):
        pass


class Kpi(models.Model):
    """A measurable success indicator; telemetry with the same metric name measures it."""

    class Direction(models.TextChoices):
        AT_LEAST = "at_least", _("higher is better (at least the target)")
        AT_MOST = "at_most", _("lower is better (at most the target)")

    scope = models.ForeignKey(Scope, on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(_("name"), max_length=100)
    unit = models.CharField(_("unit"), max_length=40)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=4)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["scope", "name"], name="kpi_unique_name")]

    def __str__(self) -> str:
        sign = ">=" if self.direction == self.Direction.AT_LEAST else "<="
        return f"{self.name} {sign} {plain_number(self.target)} {self.unit}"

    def attainment(self, value: Decimal) -> Decimal:
        """Share of the target reached, capped at 1 (0 when nothing was measured)."""
        if self.direction == self.Direction.AT_LEAST:
            ratio = value / self.target if self.target else Decimal(1)
        else:
            ratio = self.target / value if value else Decimal(1)
        return max(Decimal(0), min(Decimal(1), ratio))


class BusinessRequirements(ProjectRecord):
    """Define business requirements: one version per iteration of the project."""

    version = models.PositiveIntegerField(_("version"))
    iteration = models.PositiveIntegerField(_("iteration"))
    objectives = models.TextField(_("objectives"))
    benefits = models.TextField(_("benefits"))
    constraints = models.TextField(_("constraints"))
    value_propositions = models.TextField(_("value propositions"))
    stakeholder_expectations = models.TextField(_("stakeholder expectations"))
    use_case_descriptions = models.TextField(_("use case descriptions"))

    class Meta(ProjectRecord.Meta):
        verbose_name_plural = _("business requirements")
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="business_req_version")
        ]

    def __str__(self) -> str:
        return f"Business requirements v{self.version}"


class ArchitectureReview(ProjectRecord):
    """Evaluate architecture alignment: the decision that drives architecture_approved."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REFINE = "refine", _("Refine")

    design = models.ForeignKey(
        "operational.ArchitectureDesign", on_delete=models.PROTECT, related_name="reviews"
    )
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    comments = models.TextField(_("comments"))

    class Meta(ProjectRecord.Meta):
        pass


class Blueprint(ProjectRecord):
    """Finalize project blueprint: plan and budget that the assessments hold costs against."""

    iteration = models.PositiveIntegerField(_("iteration"))
    summary = models.TextField(_("summary"))
    milestones = models.TextField(_("milestones"))
    budget = models.DecimalField(
        _("budget per month"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")

    class Meta(ProjectRecord.Meta):
        pass


class AssessmentDecision(ProjectRecord):
    """Review assessment and decide: continue, adjust (new iteration) or retire."""

    class Decision(models.TextChoices):
        CONTINUE = "continue", _("Continue")
        ADJUST = "adjust", _("Adjust (new iteration)")
        RETIRE = "retire", _("Retire")

    assessment = models.ForeignKey(
        "operations.Assessment", on_delete=models.PROTECT, related_name="decisions"
    )
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    rationale = models.TextField(_("rationale"))

    class Meta(ProjectRecord.Meta):
        pass


class Termination(ProjectRecord):
    """Terminate project: the strategic close-out."""

    reason = models.TextField(_("reason"))
    lessons_learned = models.TextField(_("lessons learned"), blank=True)

    class Meta(ProjectRecord.Meta):
        pass
