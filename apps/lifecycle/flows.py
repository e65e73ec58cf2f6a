"""The LLMOps life cycle of ../shared/spec/llmops-process.md as one viewflow Flow.

Attribute names are the spec's node ids; every node declares its lane and process
group. Gateways ask the process, which reads the latest governance record.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from apps.infrastructure.services import decommission_request_send, deployment_request_send
from apps.operational import forms as op_forms
from apps.operational import services as op
from apps.operations.services import assessment_run, monitoring_run
from apps.projects.models import Team
from apps.strategic import forms as st_forms
from apps.strategic import services as st

from . import subjects
from .jobs import Job
from .models import LifecycleProcess, LifecycleTask
from .nodes import End, Gateway, HumanTask, Join, Split, Start, Timer
from .views import LaunchView, TaskView

STRATEGIC, OPERATIONAL = Team.STRATEGIC, Team.OPERATIONAL


def ask(predicate: str):
    """A gateway decision that asks the process (see LifecycleProcess)."""
    return lambda activation: getattr(activation.process, predicate)()


def task_view(form_class, service, subject=None):
    return TaskView.as_view(form_class=form_class, service=service, subject=subject)


class LifecycleFlow(flow.Flow):
    """LLMOps life cycle

    One enterprise LLM project from launch to retirement, governed by the
    strategic team and run by the operational team.
    """

    process_summary_template = "{{ process.project.title }}"
    process_class = LifecycleProcess
    task_class = LifecycleTask
    # Blocking row lock on the process: concurrent submissions queue up, and the
    # second one then finds the task already done.
    lock_impl = lock.SelectForUpdateLock(nowait=False, attempts=1)

    # strategic lane: goals, business requirements, architecture approval
    launch_project = (
        Start(LaunchView.as_view())
        .Annotation(title=_("Launch LLMOps project"))
        .Permission("projects.add_project")
        .Lane(STRATEGIC, "strategic")
        .Next(this.define_scope)
    )
    define_scope = (
        HumanTask(task_view(st_forms.ScopeForm, st.scope_define))
        .Annotation(title=_("Outline scope and objectives"))
        .Lane(STRATEGIC, "strategic")
        .Next(this.define_business_requirements)
    )
    define_business_requirements = (
        HumanTask(task_view(st_forms.BusinessRequirementsForm, st.business_requirements_define))
        .Annotation(title=_("Define business requirements"))
        .Lane(STRATEGIC, "strategic")
        .Next(this.derive_requirements)
    )

    # operational lane: requirements and design
    derive_requirements = (
        HumanTask(
            task_view(
                op_forms.RequirementsForm, op.requirements_derive, subjects.business_requirements
            )
        )
        .Annotation(title=_("Derive functional and non-functional requirements"))
        .Lane(OPERATIONAL, "dev")
        .Next(this.design_architecture)
    )
    design_architecture = (
        HumanTask(
            task_view(
                op_forms.ArchitectureDesignForm,
                op.architecture_design,
                subjects.architecture_feedback,
            )
        )
        .Annotation(title=_("Design artifact architecture"))
        .Lane(OPERATIONAL, "dev")
        .Next(this.review_architecture)
    )

    # strategic lane: architecture alignment
    review_architecture = (
        HumanTask(
            task_view(
                st_forms.ArchitectureReviewForm, st.architecture_review_record, subjects.design
            )
        )
        .Annotation(title=_("Evaluate architecture alignment"))
        .Lane(STRATEGIC, "strategic")
        .Next(this.architecture_approved)
    )
    architecture_approved = (
        Gateway(ask("architecture_decision"))
        .Annotation(title=_("Architecture approved?"))
        .Lane(STRATEGIC)
        .Branch("approved", this.split_build)
        .Branch("refine", this.design_architecture)
    )
    split_build = (
        Split()
        .Annotation(title=_("Build in parallel"))
        .Lane(STRATEGIC)
        .Next(this.finalize_blueprint)
        .Next(this.prepare_data)
    )
    finalize_blueprint = (
        HumanTask(task_view(st_forms.BlueprintForm, st.blueprint_finalize))
        .Annotation(title=_("Finalize project blueprint"))
        .Lane(STRATEGIC, "strategic")
        .Next(this.join_build)
    )

    # operational lane: data, model, development, evaluation
    prepare_data = (
        HumanTask(task_view(op_forms.PrepareDataForm, op.data_prepare))
        .Annotation(title=_("Collect and prepare data"))
        .Lane(OPERATIONAL, "data")
        .Next(this.evaluate_data_quality)
    )
    evaluate_data_quality = (
        HumanTask(task_view(op_forms.DataQualityForm, op.data_quality_evaluate, subjects.datasets))
        .Annotation(title=_("Evaluate data quality"))
        .Lane(OPERATIONAL, "data")
        .Next(this.data_quality_sufficient)
    )
    data_quality_sufficient = (
        Gateway(ask("data_quality_verdict"))
        .Annotation(title=_("Data quality sufficient?"))
        .Lane(OPERATIONAL)
        .Branch("sufficient", this.select_base_model)
        .Branch("insufficient", this.prepare_data)
    )
    select_base_model = (
        HumanTask(task_view(op_forms.ModelSelectionForm, op.base_model_select))
        .Annotation(title=_("Select pre-trained LLM"))
        .Lane(OPERATIONAL, "llm")
        .Next(this.fine_tuning_needed)
    )
    fine_tuning_needed = (
        Gateway(ask("fine_tuning_answer"))
        .Annotation(title=_("Fine-tuning required?"))
        .Lane(OPERATIONAL)
        .Branch("yes", this.fine_tune_model)
        .Branch("no", this.rework_pass)
    )
    fine_tune_model = (
        HumanTask(task_view(op_forms.FineTuningForm, op.fine_tuning_record, subjects.selection))
        .Annotation(title=_("Fine-tune LLM"))
        .Lane(OPERATIONAL, "llm")
        .Next(this.rework_pass)
    )
    rework_pass = (
        Gateway(this.rework_outcome)
        .Annotation(title=_("Rework after evaluation?"))
        .Lane(OPERATIONAL)
        .Branch("first pass", this.join_build)
        .Branch("rework", this.develop_artifact)
    )
    join_build = (
        Join()
        .Annotation(title=_("Blueprint and model ready"))
        .Lane(OPERATIONAL)
        .Next(this.develop_artifact)
    )
    develop_artifact = (
        HumanTask(task_view(op_forms.ArtifactForm, op.artifact_develop, subjects.root_cause))
        .Annotation(title=_("Develop LLM artifact"))
        .Lane(OPERATIONAL, "dev")
        .Next(this.evaluate_artifact)
    )
    evaluate_artifact = (
        HumanTask(task_view(op_forms.EvaluationForm, op.evaluation_record, subjects.artifact))
        .Annotation(title=_("Evaluate artifact"))
        .Lane(OPERATIONAL, "llm")
        .Next(this.evaluation_passed)
    )
    evaluation_passed = (
        Gateway(ask("evaluation_outcome"))
        .Annotation(title=_("Requirements met?"))
        .Lane(OPERATIONAL)
        .Branch("passed", this.deploy_artifact)
        .Branch("failed", this.identify_root_cause)
    )
    identify_root_cause = (
        HumanTask(task_view(op_forms.RootCauseForm, op.root_cause_identify, subjects.evaluation))
        .Annotation(title=_("Identify root cause"))
        .Lane(OPERATIONAL, "dev")
        .Next(this.root_cause)
    )
    root_cause = (
        Gateway(ask("root_cause"))
        .Annotation(title=_("Where is the root cause?"))
        .Lane(OPERATIONAL)
        .Branch("development", this.develop_artifact)
        .Branch("model", this.select_base_model)
        .Branch("data", this.prepare_data)
        .Branch("requirements", this.derive_requirements)
    )

    # operational lane: deployment, integration and the operation loop
    deploy_artifact = (
        HumanTask(task_view(op_forms.DeploymentForm, op.deployment_record, subjects.artifact))
        .Annotation(title=_("Deploy artifact"))
        .Lane(OPERATIONAL, "ops")
        .onCreate(this.request_deployment)
        .Next(this.integrate_artifact)
    )
    integrate_artifact = (
        HumanTask(task_view(op_forms.IntegrationForm, op.integration_record, subjects.deployment))
        .Annotation(title=_("Integrate artifact into enterprise systems"))
        .Lane(OPERATIONAL, "compliance")
        .Next(this.monitoring_cycle)
    )
    monitoring_cycle = (
        Timer(this.monitoring_window)
        .Annotation(title=_("Monitoring window elapsed"))
        .Lane(OPERATIONAL)
        .Next(this.monitor_artifact)
    )
    monitor_artifact = (
        Job(this.monitor)
        .Annotation(title=_("Monitor artifact"))
        .Lane(OPERATIONAL, "ops")
        .Next(this.maintenance_needed)
    )
    maintenance_needed = (
        Gateway(ask("maintenance_answer"))
        .Annotation(title=_("Maintenance needed?"))
        .Lane(OPERATIONAL)
        .Branch("yes", this.maintain_artifact)
        .Branch("no", this.assessment_due)
    )
    maintain_artifact = (
        HumanTask(
            task_view(op_forms.MaintenanceForm, op.maintenance_record, subjects.monitoring_report)
        )
        .Annotation(title=_("Maintain artifact"))
        .Lane(OPERATIONAL, "ops")
        .Next(this.assessment_due)
    )

    # strategic lane: assessments and the decision to continue, adjust or retire
    assessment_due = (
        Gateway(ask("assessment_due_answer"))
        .Annotation(title=_("Assessment due?"))
        .Lane(STRATEGIC)
        .Branch("not due", this.monitoring_cycle)
        .Branch("due", this.assess_lifecycle)
    )
    assess_lifecycle = (
        Job(this.assess)
        .Annotation(title=_("Assess life cycle and business value"))
        .Lane(STRATEGIC, "strategic")
        .Next(this.retirement_triggered)
    )
    retirement_triggered = (
        Gateway(ask("retirement_answer"))
        .Annotation(title=_("Automatic retirement triggered?"))
        .Lane(STRATEGIC)
        .Branch("breached", this.split_retire)
        .Branch("within policy", this.review_assessment)
    )
    review_assessment = (
        HumanTask(
            task_view(st_forms.AssessmentDecisionForm, st.assessment_decide, subjects.assessment)
        )
        .Annotation(title=_("Review assessment and decide"))
        .Lane(STRATEGIC, "strategic")
        .Next(this.assessment_decision)
    )
    assessment_decision = (
        Gateway(ask("assessment_decision"))
        .Annotation(title=_("Decision?"))
        .Lane(STRATEGIC)
        .Branch("continue", this.monitoring_cycle)
        .Branch("adjust", this.define_business_requirements)
        .Branch("retire", this.split_retire)
    )

    # retirement, both lanes in parallel
    split_retire = (
        Split()
        .Annotation(title=_("Retire in parallel"))
        .Lane(STRATEGIC)
        .Next(this.retire_artifact)
        .Next(this.terminate_project)
    )
    retire_artifact = (
        HumanTask(task_view(op_forms.RetirementForm, op.retirement_record))
        .Annotation(title=_("Retire artifact"))
        .Lane(OPERATIONAL, "ops")
        .onCreate(this.request_decommission)
        .Next(this.join_retire)
    )
    terminate_project = (
        HumanTask(task_view(st_forms.TerminationForm, st.project_terminate, subjects.assessment))
        .Annotation(title=_("Terminate project"))
        .Lane(STRATEGIC, "strategic")
        .Next(this.join_retire)
    )
    join_retire = (
        Join().Annotation(title=_("Retired and terminated")).Lane(STRATEGIC).Next(this.end)
    )
    end = End().Annotation(title=_("Project closed")).Lane(STRATEGIC)

    # message flows with the IT infrastructure pool, a black box: (source, target,
    # name) by node id; the BPMN export (apps.notation) draws them
    bpmn_message_flows = (
        ("deploy_artifact", "it_infrastructure", "Deployment request"),
        ("it_infrastructure", "deploy_artifact", "Deployment confirmation"),
        ("it_infrastructure", "monitor_artifact", "Telemetry"),
        ("maintain_artifact", "it_infrastructure", "Maintenance change"),
        ("retire_artifact", "it_infrastructure", "Decommission request"),
        ("it_infrastructure", "retire_artifact", "Decommission confirmation"),
    )

    # automatic steps and decisions

    def request_deployment(self, activation):
        """Message flow to IT infrastructure: the deployment request."""
        deployment_request_send(project=activation.process.project, task=activation.task)

    def request_decommission(self, activation):
        """Message flow to IT infrastructure: the decommission request."""
        decommission_request_send(project=activation.process.project, task=activation.task)

    def monitoring_window(self, activation):
        """How long the monitoring timer waits: the project's policy, read when it starts."""
        return activation.process.project.policy.monitoring_window

    def monitor(self, activation):
        """Body of the monitor_artifact job, run on a worker."""
        monitoring_run(project=activation.process.project, task_id=activation.task.pk)

    def assess(self, activation):
        """Body of the assess_lifecycle job, run on a worker."""
        assessment_run(project=activation.process.project, task_id=activation.task.pk)

    def rework_outcome(self, activation):
        """Not a process predicate: the answer lies in the token (inside the build split or not)."""
        return LifecycleProcess.rework_answer(activation.task.token)

    # permissions: process pages follow project membership

    def has_view_permission(self, user, obj=None):
        from apps.projects.selectors import visible_projects

        if obj is None:
            return user.is_authenticated and user.is_active
        return visible_projects(user).filter(process=obj).exists()

    def has_manage_permission(self, user, obj=None):
        # Undo, revive and cancel rewrite governed history: administrators only.
        return user.is_authenticated and user.is_superuser
