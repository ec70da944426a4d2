"""Writes of the inspections app."""

from django.db import transaction

from hazards import workflow
from hazards.models import Hazard
from inspections.models import Inspection


@transaction.atomic
def record_inspection(*, actor, inspection: Inspection, team, findings) -> Inspection:
    """Save an inspection visit with its team and put each finding on the ledger.

    `findings` is a list of (hazard, before attachments, after attachments); each hazard takes the
    visit's county, unit or site, campaign and date, and goes through the workflow's report.
    """
    if not workflow.can_report(actor):
        raise workflow.HazardError(str(workflow.REPORTERS_ONLY))
    inspection.created_by = actor
    if inspection.organization_id is None:
        inspection.organization = actor.organization
    inspection.full_clean()
    inspection.save()
    inspection.inspectors.set({actor, *team})
    for hazard, before, after in findings:
        hazard: Hazard
        hazard.inspection = inspection
        hazard.region = inspection.region
        hazard.unit = inspection.unit
        hazard.site_name = inspection.site_name
        hazard.campaign = inspection.campaign
        hazard.found_on = inspection.inspected_on
        if hazard.industry_id is None:
            hazard.industry = inspection.industry
        hazard.source = Hazard.Source.CAMPAIGN if inspection.campaign_id else Hazard.Source.INSPECTION
        workflow.report_finding(actor=actor, hazard=hazard, attachments=before, after_attachments=after)
    return inspection
