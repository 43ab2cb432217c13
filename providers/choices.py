"""Choices for the organisation: service types, risk tags, roles and their scope levels."""

from django.db import models


def label_of(choices: type[models.TextChoices], value: str) -> str:
    """The label of `value` among `choices`, or the value itself when it is not one of them (a choice
    since retired), as get_FOO_display() gives it. That method flattens and copies every choice on each
    call, which a page listing many rows pays once a row."""
    try:
        return choices(value).label
    except ValueError:
        return value


class ServiceType(models.TextChoices):
    RESIDENTIAL = "residential", "Residential care home"
    NURSING = "nursing", "Nursing home"
    SUPPORTED_LIVING = "supported_living", "Supported living"
    HOME_CARE = "home_care", "Home care"


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class RiskTag(models.TextChoices):
    """The risk-profile tags a service carries; matching a serious failure compares them."""

    MEDICATION = "medication", "Medication"
    FALLS = "falls", "Falls"
    AGENCY_RELIANCE = "agency_reliance", "Agency reliance"
    NIGHT_STAFFING = "night_staffing", "Night staffing"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    WOUND_CARE = "wound_care", "Wound care"
    NUTRITION = "nutrition", "Nutrition and hydration"
    DETERIORATION = "deterioration", "Recognising deterioration"
    MISSED_CALLS = "missed_calls", "Missed or late calls"


class Scope(models.TextChoices):
    PROVIDER = "provider", "Provider"
    REGION = "region", "Region"
    SERVICE = "service", "Service"
    COMMISSIONER = "commissioner", "Commissioning organisation, at one provider"


class Role(models.TextChoices):
    """Every role named in the three chains, plus the provider's administrator."""

    NOMINATED_INDIVIDUAL = "nominated_individual", "Nominated Individual"
    PROVIDER_DIRECTOR = "provider_director", "Provider Director"
    QUALITY_DIRECTOR = "quality_director", "Quality Director"
    OPERATIONS_DIRECTOR = "operations_director", "Operations Director"
    COMPLIANCE_MANAGER = "compliance_manager", "Compliance Manager"
    GOVERNANCE_OFFICER = "governance_officer", "Governance Officer"
    PERFORMANCE_ANALYST = "performance_analyst", "Performance Analyst"
    RESIDENT_EXPERIENCE_LEAD = "resident_experience_lead", "Resident Experience Lead"
    PROVIDER_ADMINISTRATOR = "provider_administrator", "Provider Administrator"
    DEPUTY_REGIONAL_MANAGER = "deputy_regional_manager", "Deputy Regional Manager"
    REGISTERED_MANAGER = "registered_manager", "Registered Manager"
    SERVICE_IMPROVEMENT_LEAD = "service_improvement_lead", "Service Improvement Lead"
    CLINICAL_LEAD = "clinical_lead", "Clinical Lead"
    PRACTICE_DEVELOPMENT_LEAD = "practice_development_lead", "Practice Development Lead"
    SENIOR_CARER_LATE = "senior_carer_late", "Senior Carer (late shift)"
    ON_CALL_MANAGER = "on_call_manager", "On-call Manager"
    COMMISSIONER = "commissioner", "Commissioner"


# The scope at which each role is held. A commissioner holds its role for its commissioning organisation
# at one provider, and sees the services that organisation commissions there.
ROLE_SCOPE = {
    Role.NOMINATED_INDIVIDUAL: Scope.PROVIDER,
    Role.PROVIDER_DIRECTOR: Scope.PROVIDER,
    Role.QUALITY_DIRECTOR: Scope.PROVIDER,
    Role.OPERATIONS_DIRECTOR: Scope.PROVIDER,
    Role.COMPLIANCE_MANAGER: Scope.PROVIDER,
    Role.GOVERNANCE_OFFICER: Scope.PROVIDER,
    Role.PERFORMANCE_ANALYST: Scope.PROVIDER,
    Role.RESIDENT_EXPERIENCE_LEAD: Scope.PROVIDER,
    Role.PROVIDER_ADMINISTRATOR: Scope.PROVIDER,
    Role.DEPUTY_REGIONAL_MANAGER: Scope.REGION,
    Role.REGISTERED_MANAGER: Scope.SERVICE,
    Role.SERVICE_IMPROVEMENT_LEAD: Scope.SERVICE,
    Role.CLINICAL_LEAD: Scope.SERVICE,
    Role.PRACTICE_DEVELOPMENT_LEAD: Scope.SERVICE,
    Role.SENIOR_CARER_LATE: Scope.SERVICE,
    Role.ON_CALL_MANAGER: Scope.SERVICE,
    Role.COMMISSIONER: Scope.COMMISSIONER,
}
