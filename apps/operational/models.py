"""What the operational team (engineers) records along the life cycle."""

import operator
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.projects.models import ProjectRecord, plain_number

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]
NON_NEGATIVE = [MinValueValidator(Decimal(0))]


class RequirementSet(ProjectRecord):
    """Derive functional and non-functional requirements: versioned with each derivation."""

    version = models.PositiveIntegerField(_("version"))
    business_requirements = models.ForeignKey(
        "strategic.BusinessRequirements", on_delete=models.PROTECT, related_name="+"
    )
    functional_requirements = models.TextField(_("functional requirements"))

    class Meta(ProjectRecord.Meta):
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="requirement_set_version")
        ]

    def __str__(self) -> str:
        return f"Requirements v{self.version}"


class AcceptanceCriterion(models.Model):
    """A non-functional requirement a machine can check: metric, comparator, threshold, unit."""

    class Comparator(models.TextChoices):
        LTE = "<=", "<="
        LT = "<", "<"
        GTE = ">=", ">="
        GT = ">", ">"

    CHECKS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt}

    requirement_set = models.ForeignKey(
        RequirementSet, on_delete=models.CASCADE, related_name="criteria"
    )
    metric = models.SlugField(
        _("metric"),
        max_length=60,
        help_text=_("Telemetry and evaluation name, e.g. latency_p95_ms or accuracy."),
    )
    comparator = models.CharField(_("comparator"), max_length=2, choices=Comparator.choices)
    threshold = models.DecimalField(_("threshold"), max_digits=14, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=40)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = _("acceptance criteria")
        constraints = [
            models.UniqueConstraint(fields=["requirement_set", "metric"], name="criterion_metric")
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.comparator} {plain_number(self.threshold)} {self.unit}"

    def is_met(self, value) -> bool:
        # Decimal(str(...)): a float such as 0.7 must compare as 0.7, not 0.69999...
        return self.CHECKS[self.comparator](Decimal(str(value)), self.threshold)


class ArchitectureDesign(ProjectRecord):
    """Design artifact architecture: components, connections, integration points, target."""

    class Target(models.TextChoices):
        ON_PREMISES = "on_premises", _("On-premises")
        CLOUD = "cloud", _("Cloud")
        HYBRID = "hybrid", _("Hybrid")

    version = models.PositiveIntegerField(_("version"))
    requirement_set = models.ForeignKey(RequirementSet, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(_("summary"))
    connections = models.TextField(_("connections between components"))
    integration_points = models.TextField(_("integration points"))
    deployment_target = models.CharField(
        _("deployment target"), max_length=16, choices=Target.choices
    )
    evidence = models.FileField(_("evidence file"), upload_to="evidence/%Y/%m/", blank=True)

    class Meta(ProjectRecord.Meta):
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="architecture_version")
        ]

    def __str__(self) -> str:
        return f"Architecture v{self.version}"


class Component(models.Model):
    """One building block of a design: an API, a database, a vector store, ..."""

    class Kind(models.TextChoices):
        API = "api", _("API")
        DATABASE = "database", _("Database")
        USER_INTERFACE = "user_interface", _("User interface")
        EMBEDDING = "embedding", _("Embedding tool")
        VECTOR_STORE = "vector_store", _("Vector store")
        OTHER = "other", _("Other")

    design = models.ForeignKey(
        ArchitectureDesign, on_delete=models.CASCADE, related_name="components"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class Dataset(ProjectRecord):
    """Collect and prepare data: one row per dataset prepared in a pass."""

    iteration = models.PositiveIntegerField(_("iteration"))
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source"), max_length=255)
    size_records = models.PositiveBigIntegerField(_("size (records)"))
    licence = models.CharField(_("licence"), max_length=100)
    contains_personal_data = models.BooleanField(_("contains personal data"), default=False)
    preparation = models.TextField(_("collection, cleaning, normalisation and transformation"))

    class Meta(ProjectRecord.Meta):
        pass

    def __str__(self) -> str:
        return self.name


class DataQualityReport(ProjectRecord):
    """Evaluate data quality: scores and the verdict behind data_quality_sufficient."""

    class Verdict(models.TextChoices):
        SUFFICIENT = "sufficient", _("Sufficient")
        INSUFFICIENT = "insufficient", _("Insufficient")

    completeness = models.DecimalField(
        _("completeness %"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    accuracy = models.DecimalField(
        _("accuracy %"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    consistency = models.DecimalField(
        _("consistency %"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    findings = models.TextField(_("findings"))
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices)

    class Meta(ProjectRecord.Meta):
        pass


class ModelSelection(ProjectRecord):
    """Select pre-trained LLM: the candidates compared, the choice and its rationale."""

    iteration = models.PositiveIntegerField(_("iteration"))
    rationale = models.TextField(_("rationale"))
    fine_tuning_required = models.BooleanField(_("fine-tuning required"))

    class Meta(ProjectRecord.Meta):
        pass

    @property
    def chosen(self):
        return next((c for c in self.candidates.all() if c.chosen), None)


class ModelCandidate(models.Model):
    """A pre-trained LLM compared in a selection, with its costs; exactly one is chosen."""

    class Type(models.TextChoices):
        OPEN_WEIGHTS = "open_weights", _("Open weights")
        PROPRIETARY = "proprietary", _("Proprietary (API)")

    selection = models.ForeignKey(
        ModelSelection, on_delete=models.CASCADE, related_name="candidates"
    )
    name = models.CharField(_("name"), max_length=120)
    parameters_billions = models.DecimalField(
        _("size (billion parameters)"), max_digits=8, decimal_places=2, validators=NON_NEGATIVE
    )
    model_type = models.CharField(_("type"), max_length=16, choices=Type.choices)
    licence = models.CharField(_("licence"), max_length=100)
    personnel_cost = models.DecimalField(
        _("personnel cost"), max_digits=12, decimal_places=2, validators=NON_NEGATIVE
    )
    licensing_cost = models.DecimalField(
        _("licensing cost"), max_digits=12, decimal_places=2, validators=NON_NEGATIVE
    )
    infrastructure_cost = models.DecimalField(
        _("infrastructure cost"), max_digits=12, decimal_places=2, validators=NON_NEGATIVE
    )
    technical_requirements = models.CharField(_("technical requirements"), max_length=255)
    chosen = models.BooleanField(_("chosen"), default=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["selection"], condition=models.Q(chosen=True), name="one_chosen_candidate"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def total_cost(self):
        return self.personnel_cost + self.licensing_cost + self.infrastructure_cost


class FineTuningRun(ProjectRecord):
    """Fine-tune LLM: method, data and the resulting model."""

    class Method(models.TextChoices):
        FULL = "full", _("Full fine-tuning")
        LORA = "lora", _("LoRA / QLoRA")
        INSTRUCTION = "instruction", _("Instruction tuning")
        RLHF = "rlhf", _("RLHF / preference tuning")
        OTHER = "other", _("Other")

    selection = models.ForeignKey(
        ModelSelection, on_delete=models.PROTECT, related_name="fine_tuning_runs"
    )
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    training_data = models.TextField(_("training data"))
    resulting_model = models.CharField(_("resulting model"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)

    class Meta(ProjectRecord.Meta):
        pass


class ArtifactVersion(ProjectRecord):
    """Develop LLM artifact: each development pass produces a version to evaluate."""

    version = models.CharField(_("version"), max_length=40)
    description = models.TextField(_("changes"))
    repository_url = models.URLField(_("repository or build URL"))
    model_name = models.CharField(_("model used"), max_length=200)

    class Meta(ProjectRecord.Meta):
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="artifact_version_unique")
        ]

    def __str__(self) -> str:
        return self.version


class Evaluation(ProjectRecord):
    """Evaluate artifact: measured results checked against the criteria in force.

    ``passed`` is computed from the results, never entered: it drives
    evaluation_passed.
    """

    artifact_version = models.ForeignKey(
        ArtifactVersion, on_delete=models.PROTECT, related_name="evaluations"
    )
    requirement_set = models.ForeignKey(RequirementSet, on_delete=models.PROTECT, related_name="+")
    passed = models.BooleanField(_("requirements met"), editable=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta(ProjectRecord.Meta):
        pass


class EvaluationResult(models.Model):
    """One measured value against one acceptance criterion; ``passed`` is computed."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="results")
    criterion = models.ForeignKey(AcceptanceCriterion, on_delete=models.PROTECT, related_name="+")
    measured = models.DecimalField(_("measured"), max_digits=14, decimal_places=4)
    passed = models.BooleanField(editable=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.criterion}: {plain_number(self.measured)}"


class RootCauseAnalysis(ProjectRecord):
    """Identify root cause: where the rework goes (development, model, data, requirements)."""

    class Cause(models.TextChoices):
        DEVELOPMENT = "development", _("Development")
        MODEL = "model", _("Model selection")
        DATA = "data", _("Data preparation")
        REQUIREMENTS = "requirements", _("Functional requirements")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="root_causes")
    cause = models.CharField(_("root cause"), max_length=16, choices=Cause.choices)
    analysis = models.TextField(_("analysis"))

    class Meta(ProjectRecord.Meta):
        verbose_name_plural = _("root cause analyses")


class Deployment(ProjectRecord):
    """Deploy artifact: what IT infrastructure runs, where, and the live-test results."""

    artifact_version = models.ForeignKey(
        ArtifactVersion, on_delete=models.PROTECT, related_name="deployments"
    )
    environment = models.CharField(_("environment"), max_length=100)
    endpoint = models.URLField(_("endpoint"))
    resources = models.TextField(_("allocated resources"))
    live_test_results = models.TextField(_("results of limited live tests"))

    class Meta(ProjectRecord.Meta):
        pass


class Integration(ProjectRecord):
    """Integrate artifact into enterprise systems, with the data-privacy confirmation."""

    deployment = models.ForeignKey(
        Deployment, on_delete=models.PROTECT, related_name="integrations"
    )
    systems = models.CharField(_("enterprise systems (ERP, CRM, ...)"), max_length=255)
    data_synchronization = models.TextField(
        _("data synchronisation (business data and vector storage)")
    )
    workflow_alignment = models.TextField(_("workflow alignment"))
    ui_integration = models.TextField(_("user interface integration"))
    privacy_compliance_confirmed = models.BooleanField(_("data privacy compliance validated"))
    compliance_notes = models.TextField(_("compliance validation notes"))

    class Meta(ProjectRecord.Meta):
        constraints = [
            models.CheckConstraint(
                condition=models.Q(privacy_compliance_confirmed=True),
                name="integration_requires_privacy_confirmation",
            )
        ]


class MaintenanceRecord(ProjectRecord):
    """Maintain artifact: what was done about a monitoring window's findings."""

    class Kind(models.TextChoices):
        SECURITY_UPDATE = "security_update", _("Security update")
        INFRASTRUCTURE_CHANGE = "infrastructure_change", _("Infrastructure change")
        INCIDENT = "incident", _("Incident handling")
        ARTIFACT_UPDATE = "artifact_update", _("Artifact update")
        ERROR_FIX = "error_fix", _("Error fix")

    monitoring_report = models.ForeignKey(
        "operations.MonitoringReport",
        on_delete=models.PROTECT,
        null=True,
        related_name="maintenance",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    description = models.TextField(_("what was done"))
    incidents_resolved = models.BooleanField(_("open incidents resolved"), default=False)

    class Meta(ProjectRecord.Meta):
        pass


class RetirementRecord(ProjectRecord):
    """Retire artifact: transition, archive, decommission requested and confirmed."""

    dependencies_transitioned = models.BooleanField(_("dependent systems transitioned"))
    data_archived = models.BooleanField(_("data archived"))
    archive_location = models.CharField(_("archive location"), max_length=255)
    decommission_requested = models.BooleanField(_("decommission requested from IT infrastructure"))
    decommission_confirmed = models.BooleanField(_("decommission confirmed by IT infrastructure"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta(ProjectRecord.Meta):
        pass
