"""The stored branch report as its Persian PDF (the *surat-jalase*), for the boards and the public.

Rendered once per version of the report and kept (:mod:`entekhab.hq.web.pdfcache`).
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from entekhab.device.pdf import report_html
from entekhab.hq.polling.manifests import signed_manifest_for
from entekhab.hq.polling.models import BranchReport
from entekhab.hq.web.pdfcache import cached_pdf_response
from entekhab.records.manifest import parse_signed_manifest
from entekhab.records.report import verify_report


def report_pdf(request, election: str, branch: str) -> HttpResponse:
    report = get_object_or_404(BranchReport, branch__election__code=election, branch__code=branch,
                               source="electronic")
    signed = signed_manifest_for(report.branch)
    manifest = parse_signed_manifest(signed, bytes.fromhex(signed["public_key"]))
    html = report_html(verify_report(report.document), manifest)
    return cached_pdf_response(request, html, ("report", report.branch.election.code, report.branch.code),
                               f"{report.branch.code}.pdf", public=True)
