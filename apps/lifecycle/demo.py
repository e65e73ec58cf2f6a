"""Demo content: what a team would enter at each task, as the node services take it.

Used by ``seed_demo`` to bring demo projects to different stages.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from apps.operations.services import telemetry_record

STEP_DATA = {
    "define_scope": {
        "scope": "Answer first-line customer questions about orders and returns.",
        "objectives": "Cut waiting time; keep answers accurate and compliant.",
        "kpis": [
            {
                "name": "quality_score",
                "unit": "score",
                "target": Decimal("0.85"),
                "direction": "at_least",
            },
            {
                "name": "latency_p95_ms",
                "unit": "ms",
                "target": Decimal("800"),
                "direction": "at_most",
            },
        ],
    },
    "define_business_requirements": {
        "objectives": "Resolve 60% of tickets without an agent.",
        "benefits": "Lower support cost, 24/7 availability.",
        "constraints": "EU data residency; no personal data in prompts sent to third parties.",
        "value_propositions": "Faster answers for customers, agents focus on hard cases.",
        "stakeholder_expectations": "Support lead: no wrong refund promises.",
        "use_case_descriptions": "Customer asks about an order status or a return in the web chat.",
    },
    "derive_requirements": {
        "functional_requirements": (
            "Answer order and return questions from the knowledge base; hand over to an agent."
        ),
        "criteria": [
            {
                "metric": "latency_p95_ms",
                "comparator": "<=",
                "threshold": Decimal("800"),
                "unit": "ms",
            },
            {
                "metric": "accuracy",
                "comparator": ">=",
                "threshold": Decimal("0.9"),
                "unit": "ratio",
            },
            {
                "metric": "throughput_rps",
                "comparator": ">=",
                "threshold": Decimal("5"),
                "unit": "requests/s",
            },
        ],
    },
    "design_architecture": {
        "summary": "RAG service behind the chat widget.",
        "connections": "Widget -> API -> retriever -> vector store; API -> LLM endpoint.",
        "integration_points": "CRM ticket API, order database (read only).",
        "deployment_target": "hybrid",
        "components": [
            {"name": "Chat API", "kind": "api", "description": "FastAPI service"},
            {"name": "Vector store", "kind": "vector_store", "description": "pgvector"},
        ],
    },
    "review_architecture": {
        "decision": "approved",
        "comments": "Aligned with the support strategy.",
    },
    "finalize_blueprint": {
        "summary": "Pilot in one market, then roll out.",
        "milestones": "Pilot in 6 weeks; roll-out in 3 months.",
        "budget": Decimal("4000.00"),
        "currency": "EUR",
    },
    "prepare_data": {
        "datasets": [
            {
                "name": "Support tickets 2024",
                "source": "CRM export",
                "size_records": 120000,
                "licence": "internal",
                "contains_personal_data": True,
                "preparation": "Pseudonymised, deduplicated, normalised to UTF-8.",
            }
        ]
    },
    "evaluate_data_quality": {
        "completeness": Decimal("97.5"),
        "accuracy": Decimal("95.0"),
        "consistency": Decimal("93.0"),
        "findings": "Minor duplicates removed.",
        "verdict": "sufficient",
    },
    "select_base_model": {
        "rationale": "Best accuracy per euro with EU hosting.",
        "fine_tuning_required": False,
        "candidates": [
            {
                "name": "Mistral 7B Instruct",
                "parameters_billions": Decimal("7"),
                "model_type": "open_weights",
                "licence": "Apache-2.0",
                "personnel_cost": Decimal("2000"),
                "licensing_cost": Decimal("0"),
                "infrastructure_cost": Decimal("900"),
                "technical_requirements": "1 GPU with 24 GB",
                "chosen": True,
            },
            {
                "name": "Hosted frontier model",
                "parameters_billions": Decimal("0"),
                "model_type": "proprietary",
                "licence": "commercial",
                "personnel_cost": Decimal("1000"),
                "licensing_cost": Decimal("3000"),
                "infrastructure_cost": Decimal("0"),
                "technical_requirements": "API access",
                "chosen": False,
            },
        ],
    },
    "fine_tune_model": {
        "method": "lora",
        "training_data": "Resolved support tickets 2024, pseudonymised.",
        "resulting_model": "support-7b-lora-v1",
        "notes": "3 epochs.",
    },
    "develop_artifact": {
        "version": "1.0.0",
        "description": "First RAG pipeline with agent hand-over.",
        "repository_url": "https://git.example.com/support-assistant",
        "model_name": "Mistral 7B Instruct",
    },
    "evaluate_artifact": {"notes": "Offline evaluation on 500 held-out tickets."},
    "identify_root_cause": {"cause": "development", "analysis": "Retriever returns stale chunks."},
    "deploy_artifact": {
        "environment": "production-eu",
        "endpoint": "https://llm.example.com/support",
        "resources": "2 x L4 GPU, 8 vCPU, 32 GB",
        "live_test_results": "100 shadow requests, p95 610 ms, no errors.",
        # Demo projects have no IT infrastructure behind them: confirmed by hand.
        "manual_confirmation": True,
        "manual_confirmation_reason": "Platform team confirmed on change ticket CHG-1042.",
    },
    "integrate_artifact": {
        "systems": "CRM, web chat",
        "data_synchronization": "Nightly sync of knowledge base into the vector store.",
        "workflow_alignment": "Hand-over to agents via CRM queue.",
        "ui_integration": "Chat widget on the help pages.",
        "privacy_compliance_confirmed": True,
        "compliance_notes": "DPIA signed off by the DPO.",
    },
    "maintain_artifact": {
        "kind": "error_fix",
        "description": "Scaled out the GPU pool and fixed the retry loop.",
        "incidents_resolved": True,
    },
    "review_assessment": {"decision": "continue", "rationale": "On track."},
    "retire_artifact": {
        "dependencies_transitioned": True,
        "data_archived": True,
        "archive_location": "s3://archive/faq-bot",
        "decommission_requested": True,
        "decommission_confirmed": True,
        "manual_confirmation": True,
        "manual_confirmation_reason": "Platform team confirmed on change ticket CHG-2077.",
        "notes": "Replaced by the support assistant.",
    },
    "terminate_project": {
        "reason": "Superseded by a better product.",
        "lessons_learned": "Start with RAG.",
    },
}


def evaluation_data(project, passing: bool = True) -> dict:
    """Measurements for the criteria in force, all met or all missed."""
    from apps.operational.selectors import criteria_in_force

    measurements = {}
    for criterion in criteria_in_force(project=project):
        step = Decimal("0.05") if criterion.comparator in (">=", ">") else Decimal("-0.05")
        factor = 1 + step if passing else 1 - step
        measurements[criterion.pk] = (criterion.threshold * factor).quantize(Decimal("0.0001"))
    return {"measurements": measurements, "notes": STEP_DATA["evaluate_artifact"]["notes"]}


def telemetry_for(project, *, hours: int = 24, healthy: bool = True) -> int:
    """Synthetic telemetry for a demo project in operation, one point per metric and minute."""
    now = timezone.now()
    points = []
    for minute in range(hours * 60):
        at = now - timedelta(minutes=minute)
        latency = 420 + (minute * 37) % 300 if healthy else 1400
        points += [
            ("latency_ms", latency, at),
            ("requests", 600, at),
            ("errors", 1 if minute % 50 == 0 else 0, at),
            ("cost_eur", 0.06, at),
            ("accuracy", 0.93 if healthy else 0.7, at),
            ("quality_score", 0.9 if healthy else 0.6, at),
        ]
    return telemetry_record(project=project, points=points)
