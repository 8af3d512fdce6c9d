"""Visitors' "this claim is outdated or wrong" reports: the form, the rate limit, the e-mail.

Nothing a visitor sends is trusted: lengths are bounded, links must be http(s), a honeypot field
catches form-filling robots, each address may send a few reports an hour (counted in the database,
so every worker agrees, with or without Redis), and editors get it as plain-text e-mail only."""

import logging
from datetime import timedelta
from operator import attrgetter

from axes.helpers import get_client_ip_address
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from sitecontent.roles import EDITORS

from .models import Cell, ClaimReport, ComparisonPage, plain
from .validators import validate_source_url

logger = logging.getLogger(__name__)


def cell_label(cell):
    capability = cell.capability
    return f"{cell.row.platform.name} · {plain(capability, 'name')} ({capability.table.name})"


class ClaimReportForm(forms.ModelForm):
    # A field people never see (the hidden attribute): robots that fill every field fill it.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        validators=[MaxLengthValidator(0, "This field must stay empty.")],
    )

    class Meta:
        model = ClaimReport
        fields = ["cell", "message", "source_url", "email"]
        labels = {
            "cell": "Which claim",
            "message": "What is wrong or out of date",
            "source_url": "A source that shows it (optional)",
            "email": "Your e-mail (optional)",
        }
        help_texts = {
            "cell": "A platform and a column of a comparison table.",
            "message": f"Plain text, at most {ClaimReport.MESSAGE_MAX} characters.",
            "source_url": "A link starting with https:// or http://.",
            "email": "Only if you would like an answer. We never publish it.",
        }
        widgets = {"message": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, cells, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cell"].queryset = cells
        self.fields["cell"].label_from_instance = cell_label
        self.fields["cell"].empty_label = "Choose the claim"
        self.fields["source_url"].validators.append(validate_source_url)  # the sources' rule
        self.fields["message"].validators.append(
            MinLengthValidator(10, "Say in a few words what is wrong (10 characters or more).")
        )


def scope_of(params):
    """(cells, a label saying what they are) from ?cell=<id>, ?table=<page>/<table slug> or
    ?platform=<slug>; every claim of the published pages otherwise."""
    cells = (
        Cell.objects.filter(capability__table__page__in=ComparisonPage.objects.published())
        .select_related("row__platform", "capability__table__page")
        .order_by("capability__table__page__order", "capability__table__order", "row__order",
                  "capability__order")
    )  # fmt: skip
    if (cell_id := params.get("cell", "").strip()).isdecimal():
        cells, label = cells.filter(pk=cell_id), cell_label
    elif "/" in (table := params.get("table", "").strip()[:400]):
        # <page permalink without slashes>/<table slug>: stable, unlike the table's id.
        page_path, slug = table.rsplit("/", 1)
        cells = cells.filter(
            capability__table__page__permalink=f"/{page_path}/", capability__table__slug=slug
        )
        label = attrgetter("capability.table.name")
    elif slug := params.get("platform", "").strip()[:100]:
        cells, label = cells.filter(row__platform__slug=slug), attrgetter("row.platform.name")
    else:
        return cells, ""
    cell = cells.first()
    return cells, label(cell) if cell else ""


def sender_of(request):
    """The client's address as the login limits see it (behind trusted proxies, not theirs),
    kept only as a keyed digest: enough to count its reports, not to read it back."""
    address = get_client_ip_address(request) or ""
    return salted_hmac("claim-report-sender", address, algorithm="sha256").hexdigest()[:32]


def over_rate_limit(request):
    """True when the address has sent its allowance of reports in the last hour."""
    since = timezone.now() - timedelta(hours=1)
    sent = ClaimReport.objects.filter(sender=sender_of(request), created_at__gte=since)
    return sent.count() >= settings.CLAIM_REPORTS_PER_HOUR


def notify_editors(report, request):
    """Plain-text mail to the editors; a mail failure never loses the stored report."""
    path = reverse("admin:platforms_claimreport_change", args=[report.pk])
    claim = cell_label(report.cell)
    context = {"report": report, "claim": claim, "admin_url": request.build_absolute_uri(path)}
    users = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    users = users.filter(Q(is_superuser=True) | Q(groups__name=EDITORS)).distinct()
    to = list(settings.CLAIM_REPORT_RECIPIENTS) or list(users.values_list("email", flat=True))
    try:  # with no recipients, Django sends nothing
        body = render_to_string("platforms/report_email.txt", context)
        send_mail(f"[{settings.SITE_NAME}] Claim reported: {claim}"[:200], body, None, to)
    except Exception:  # the report is saved; editors still see it in the queue
        logger.exception("Could not mail editors about claim report %s", report.pk)
