"""Paying producers in bulk by SPEI: an administrator generates one dispersion file of everything payable
now (market/payments/dispersion_format.py writes it in the bank's layout), uploads it to the bank's business
portal, and later uploads the bank's result file, which marks each transfer sent or failed.

The ledger: each transfer is posted as a payout when the file is generated, so money in a file waiting for
the bank is no longer payable (a second file right after does not include it again); a transfer the bank
rejects is posted back (`payout_returned`), so its money is payable again. Every posting sums to zero either
way, and the producer's balance says what it is owed at each step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from sqlmodel import Session, col, select

from market import i18n
from market.accounts.models import User
from market.admin import audit
from market.db import utcnow
from market.errors import Conflict, MarketError, NotFound
from market.i18n import N_
from market.i18n import gettext as _
from market.ledger import service as ledger
from market.mail import kinds
from market.mexico import normalize_clabe
from market.money import format_mxn
from market.organizations.effects import notify_owners
from market.organizations.models import Organization
from market.payments import dispersion_format as layout
from market.payments import service as payments
from market.payments.models import Dispersion, DispersionStatus, Payout, PayoutStatus

LAYOUT = "bbva_netcash_spei"
NO_REASON = N_("El banco no dio el motivo.")
NOTHING_TO_PAY = N_(
    "No hay nada que dispersar: ninguna organización con CLABE tiene saldo disponible fuera de otra "
    "dispersión."
)
# Why an organization the platform owes is left out of the file (Spanish source, translated when shown).
NO_CLABE = N_("Sin CLABE registrada")
BAD_CLABE = N_("La CLABE registrada no es válida")
NOTHING_AVAILABLE = N_("Nada disponible todavía (pedidos sin completar, en disputa o ya en una dispersión)")


@dataclass(frozen=True)
class Line:
    organization: Organization
    amount_cents: int


@dataclass
class Plan:
    """What a dispersion generated now would hold, and who is owed money but left out (and why)."""

    lines: list[Line] = field(default_factory=list)
    skipped: list[tuple[Organization, int, str]] = field(default_factory=list)  # (org, balance, why)

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)


def _valid_clabe(organization: Organization) -> str | None:
    try:
        return normalize_clabe(organization.clabe or "")
    except ValueError:
        return None


def _plan(session: Session, organizations: list[Organization]) -> Plan:
    plan = Plan()
    for organization in organizations:
        balance = ledger.balance(session, organization.id or 0)
        available = payments.payable_now(session, organization)
        # What Stripe is transferring is not payable now; the rest (a connected organization's sales paid
        # offline, or before its payouts were enabled) goes by SPEI like anyone's.
        if not organization.clabe:
            reason = NO_CLABE
        elif _valid_clabe(organization) is None:
            reason = BAD_CLABE
        elif available <= 0:
            reason = NOTHING_AVAILABLE
        else:
            plan.lines.append(Line(organization, available))
            continue
        if balance > 0:
            plan.skipped.append((organization, balance, reason))
    return plan


def preview(session: Session, admin: User) -> Plan:
    """What "Generar archivo de dispersión" would include now."""
    audit.require_admin(admin)
    ids = payments.owed_organization_ids(session)
    owed = session.exec(
        select(Organization).where(col(Organization.id).in_(ids)).order_by(col(Organization.id))
    )
    return _plan(session, list(owed))


def create(session: Session, admin: User, platform_clabe: str) -> Dispersion:
    """A dispersion of everything payable now: one pending SPEI payout per organization, posted in the
    ledger, and the file in the bank's layout. The organizations' rows are locked in id order (PostgreSQL),
    so two administrators generating at once never both include the same money: the second waits, then
    finds it already in the first's file."""
    audit.require_admin(admin)
    ids = payments.owed_organization_ids(session)
    locked = list(
        session.exec(
            select(Organization)
            .where(col(Organization.id).in_(ids))
            .order_by(col(Organization.id))
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
    )
    plan = _plan(session, locked)
    if not plan.lines:
        raise Conflict(NOTHING_TO_PAY)
    dispersion = Dispersion(
        layout=LAYOUT,
        filename="",
        content="",
        total_cents=plan.total_cents,
        line_count=len(plan.lines),
        created_by=admin.id or 0,
    )
    session.add(dispersion)
    session.flush()
    assert dispersion.id is not None
    transfers = []
    for line in plan.lines:
        clabe = _valid_clabe(line.organization)
        assert clabe is not None
        payout = Payout(
            organization_id=line.organization.id or 0,
            amount_cents=line.amount_cents,
            method="spei",
            reference="",
            clabe=clabe,
            created_by=admin.id,
            status=PayoutStatus.PENDING,
            dispersion_id=dispersion.id,
        )
        session.add(payout)
        session.flush()
        assert payout.id is not None
        if payout.id > layout.MAX_REFERENCE:
            raise Conflict(N_("Se agotaron las referencias numéricas de 7 dígitos: avisa al equipo técnico."))
        payout.reference = f"{payout.id:0{layout.REFERENCE_WIDTH}d}"
        ledger.record_payout(session, line.organization.id or 0, line.amount_cents, payout.reference)
        transfers.append(
            layout.Transfer(
                clabe=clabe,
                beneficiary=line.organization.name,
                amount_cents=line.amount_cents,
                reference=payout.id,
                concept=f"TIANGUIS SOLIDARIO DISP {dispersion.id}",
            )
        )
    dispersion.content = layout.render(transfers, platform_clabe).decode("ascii")
    day = dispersion.created_at.astimezone(UTC).strftime("%Y%m%d")
    dispersion.filename = f"dispersion-{dispersion.id:05d}-{day}.txt"
    audit.record(
        session,
        admin,
        "dispersion.create",
        "dispersion",
        dispersion.id,
        dispersion.filename,
        amount_cents=dispersion.total_cents,
        lines=dispersion.line_count,
    )
    return dispersion


def get(session: Session, admin: User, dispersion_id: int, *, lock: bool = False) -> Dispersion:
    audit.require_admin(admin)  # before the lookup: others cannot probe which dispersions exist
    query = select(Dispersion).where(Dispersion.id == dispersion_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    dispersion = session.exec(query).first()
    if dispersion is None:
        raise NotFound()
    return dispersion


def file_of(session: Session, admin: User, dispersion_id: int) -> tuple[str, bytes]:
    """The file as generated, byte for byte."""
    dispersion = get(session, admin, dispersion_id)
    return dispersion.filename, dispersion.content.encode("ascii")


def recent(session: Session, admin: User, limit: int = 50) -> list[Dispersion]:
    audit.require_admin(admin)
    return list(session.exec(select(Dispersion).order_by(col(Dispersion.id).desc()).limit(limit)).all())


def lines_of(session: Session, dispersion_id: int) -> list[tuple[Payout, Organization]]:
    rows = session.exec(
        select(Payout, Organization)
        .join(Organization, col(Organization.id) == Payout.organization_id)
        .where(Payout.dispersion_id == dispersion_id)
        .order_by(col(Payout.id))
    ).all()
    return [(payout, organization) for payout, organization in rows]


def payouts_of(session: Session, organization_id: int, limit: int = 50) -> list[Payout]:
    """An organization's payouts, newest first: what its owners see with their balance."""
    return list(
        session.exec(
            select(Payout)
            .where(Payout.organization_id == organization_id)
            .order_by(col(Payout.id).desc())
            .limit(limit)
        ).all()
    )


def waiting_for_the_bank(session: Session, admin: User) -> dict[int, list[Payout]]:
    """Each organization's payouts inside a dispersion whose result the bank has not given yet: money no
    longer payable (it is in the file), not yet paid either."""
    audit.require_admin(admin)
    pending = session.exec(
        select(Payout)
        .where(Payout.status == PayoutStatus.PENDING, col(Payout.dispersion_id).is_not(None))
        .order_by(col(Payout.id))
    ).all()
    waiting: dict[int, list[Payout]] = {}
    for payout in pending:
        waiting.setdefault(payout.organization_id, []).append(payout)
    return waiting


# --- the bank's result ---------------------------------------------------------------------------------


class ResultRejected(MarketError):
    """The result file was not applied, whole: why, line by line."""

    status_code = 422
    code = "dispersion_result_rejected"
    message = N_("No se aplicó el archivo de resultados: no se registró ningún pago.")

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__()
        self.problems = problems  # (line, message in the current language)

    def body(self) -> dict[str, Any]:
        rows = [{"row": line, "message": message} for line, message in self.problems]
        return super().body() | {"rows": rows}


@dataclass(frozen=True)
class Outcome:
    line: layout.ResultLine
    payout: Payout
    organization: Organization


@dataclass
class Report:
    sent: list[Outcome] = field(default_factory=list)
    failed: list[Outcome] = field(default_factory=list)
    already: list[Outcome] = field(default_factory=list)  # recorded by an earlier upload: nothing changed
    # sent before, without its clave de rastreo (recorded when a key was not required): the key is added now
    tracked: list[Outcome] = field(default_factory=list)
    still_pending: int = 0  # transfers of the dispersion the file does not mention yet

    @property
    def changed_nothing(self) -> bool:
        return not self.sent and not self.failed and not self.tracked


def _check(
    session: Session, dispersion: Dispersion, lines: list[layout.ResultLine]
) -> tuple[list[tuple[layout.ResultLine, Payout]], list[tuple[int, str]]]:
    """Each line matched to its payout of this dispersion, or what does not match."""
    payouts = {payout.reference: payout for payout, _org in lines_of(session, dispersion.id or 0)}
    matched, problems = [], []
    for line in lines:
        reference = f"{line.reference:0{layout.REFERENCE_WIDTH}d}"
        payout = payouts.get(reference)
        if payout is None:
            other = session.exec(
                select(Payout.dispersion_id).where(
                    Payout.reference == reference, col(Payout.dispersion_id).is_not(None)
                )
            ).first()
            if other is not None:
                message = _("La referencia {ref} es de la dispersión {n}, no de esta: ¿subiste otro archivo?")
                problems.append((line.line, message.format(ref=reference, n=other)))
            else:
                message = _("La referencia {ref} no está en esta dispersión.")
                problems.append((line.line, message.format(ref=reference)))
            continue
        if line.amount_cents != payout.amount_cents:
            message = _(
                "El importe de la referencia {ref} no coincide: el archivo dice {got}, la dispersión {want}."
            )
            got, want = _pesos(line.amount_cents), _pesos(payout.amount_cents)
            problems.append((line.line, message.format(ref=reference, got=got, want=want)))
            continue
        if line.clabe != payout.clabe:
            message = _("La CLABE de la referencia {ref} no coincide con la de la dispersión.")
            problems.append((line.line, message.format(ref=reference)))
            continue
        if line.outcome == layout.SENT and not line.tracking_key:
            message = _(
                "La referencia {ref} dice liquidada pero no trae clave de rastreo: toda transferencia SPEI "
                "liquidada tiene una. Descarga el resultado con la columna «clave de rastreo»."
            )
            problems.append((line.line, message.format(ref=reference)))
            continue
        if payout.status != PayoutStatus.PENDING and payout.status != line.outcome:
            message = _("La referencia {ref} ya se registró como «{was}»; el archivo dice otra cosa.")
            problems.append((line.line, message.format(ref=reference, was=_(payout.status.label))))
            continue
        if payout.status == PayoutStatus.SENT and payout.tracking_key not in (None, line.tracking_key):
            message = _(
                "La referencia {ref} ya se registró con la clave de rastreo {key}; el archivo dice otra."
            )
            problems.append((line.line, message.format(ref=reference, key=payout.tracking_key)))
            continue
        matched.append((line, payout))
    return matched, problems


def _pesos(cents: int) -> str:
    return format_mxn(cents, i18n.current_locale.get())


def apply_result(session: Session, admin: User, dispersion_id: int, data: bytes) -> Report:
    """Mark each transfer the bank's result names as sent or failed, all or nothing: any line that does not
    match this dispersion and nothing is written. A line already recorded is reported, never applied twice."""
    dispersion = get(session, admin, dispersion_id, lock=True)  # two uploads at once: one after the other
    try:
        lines = layout.parse_result(data)
    except layout.ResultUnreadable as exc:
        raise ResultRejected(exc.problems) from None
    matched, problems = _check(session, dispersion, lines)
    if problems:
        raise ResultRejected(problems)
    organizations = {org.id: org for _payout, org in lines_of(session, dispersion_id)}
    report = Report()
    now = utcnow()
    for line, payout in matched:
        organization = organizations[payout.organization_id]
        outcome = Outcome(line, payout, organization)
        if payout.status == PayoutStatus.SENT and payout.tracking_key is None:
            payout.tracking_key = line.tracking_key  # recorded before every sent line needed its key
            report.tracked.append(outcome)
            continue
        if payout.status != PayoutStatus.PENDING:
            report.already.append(outcome)
            continue
        payout.settled_at = now
        if line.outcome == layout.SENT:
            payout.status, payout.tracking_key = PayoutStatus.SENT, line.tracking_key
            report.sent.append(outcome)
            continue
        payout.status = PayoutStatus.FAILED
        payout.failure_reason = line.reason or NO_REASON
        ledger.record_payout_returned(session, payout.organization_id, payout.amount_cents, payout.reference)
        notify_owners(
            session,
            organization,
            kinds.PAYOUT_FAILED,
            link=f"/panel/o/{organization.slug}/saldo",
            amount_cents=payout.amount_cents,
            clabe_end=(payout.clabe or "")[-4:],
            reason=line.reason,
        )
        report.failed.append(outcome)
    statuses = [payout.status for payout, _org in lines_of(session, dispersion_id)]
    report.still_pending = statuses.count(PayoutStatus.PENDING)
    if not report.still_pending and dispersion.status != DispersionStatus.SETTLED:
        dispersion.status, dispersion.settled_at = DispersionStatus.SETTLED, now
    if not report.changed_nothing:
        audit.record(
            session,
            admin,
            "dispersion.result",
            "dispersion",
            dispersion_id,
            dispersion.filename,
            sent=len(report.sent),
            failed=len(report.failed),
            already=len(report.already),
            tracked=len(report.tracked),
        )
    return report
