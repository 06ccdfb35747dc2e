"""What each person chose to receive: topics turned off, and the daily digest instead of one message per
event (for members of producer organizations). The page, the API and the one-click unsubscribe link of
every optional message change it here; `verdict()` applies it when a message is delivered."""

from __future__ import annotations

from collections.abc import Iterable

from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import update
from sqlmodel import Session, col, select

from market.accounts.models import User
from market.config import Settings
from market.db import utcnow
from market.errors import InvalidAccountLink, ValidationFailed
from market.i18n import N_
from market.i18n import gettext as _
from market.mail.kinds import Kind, Topic
from market.mail.models import Email, EmailPreference, EmailStatus
from market.mail.schemas import EmailPreferencesPublic, TopicChoice
from market.organizations.models import Membership

UNSUBSCRIBE_SALT = "mail.unsubscribe"
ESSENTIAL_REFUSED = N_(
    "Los correos de tu cuenta y de tus pedidos son indispensables: no se pueden desactivar."
)
UNKNOWN_TOPIC = N_("Ese tipo de correo no existe.")
DIGEST_REFUSED = N_("El resumen diario es para quienes forman parte de una organización productora.")
NOT_ONE_CLICK = N_("Para dejar de recibir estos correos usa el botón de la página del enlace.")
INVALID_UNSUBSCRIBE = N_(
    "Este enlace para dejar de recibir correos no es válido (quizá se copió incompleto). Entra a tu cuenta "
    "y elige ahí qué correos recibes."
)


def verdict(session: Session, email: Email, kind: Kind) -> EmailStatus:
    """QUEUED: send it now; HELD: it waits for the person's digest; SUPPRESSED: they turned its topic off."""
    preference = session.get(EmailPreference, email.user_id) if email.user_id is not None else None
    if preference is None:
        return EmailStatus.QUEUED
    if not kind.essential and kind.topic in preference.muted:
        return EmailStatus.SUPPRESSED
    if kind.digest and preference.daily_digest:
        return EmailStatus.HELD
    return EmailStatus.QUEUED


def may_choose_digest(session: Session, user_id: int) -> bool:
    """The daily digest gathers what producers receive (new orders, demands to quote, messages): it is for
    the members of a producer organization."""
    return (
        session.exec(select(Membership.id).where(Membership.user_id == user_id).limit(1)).first() is not None
    )


def of(session: Session, user_id: int) -> EmailPreference:
    """The person's choices; without a row, the default (everything, one message at a time), not stored."""
    return session.get(EmailPreference, user_id) or EmailPreference(user_id=user_id)


def public(session: Session, user: User) -> EmailPreferencesPublic:
    assert user.id is not None
    preference = of(session, user.id)
    return EmailPreferencesPublic(
        topics=[
            TopicChoice(
                topic=topic,
                label=_(topic.label),
                essential=topic.essential,
                receiving=topic.essential or topic not in preference.muted,
            )
            for topic in Topic
        ],
        muted=[topic for topic in Topic if topic in preference.muted],
        daily_digest=preference.daily_digest,
        digest_available=may_choose_digest(session, user.id),
    )


def update_choices(
    session: Session, user: User, muted: Iterable[str], daily_digest: bool
) -> EmailPreferencesPublic:
    """Set what the person receives. Refused, with nothing written: an essential topic or an unknown one,
    and the digest for someone outside every producer organization (turning it off is always allowed)."""
    assert user.id is not None
    wanted = set(muted)
    errors: dict[str, str] = {}
    if wanted - set(Topic):
        errors["muted"] = UNKNOWN_TOPIC
    elif any(Topic(topic).essential for topic in wanted):
        errors["muted"] = ESSENTIAL_REFUSED
    current = of(session, user.id)
    if daily_digest and not current.daily_digest and not may_choose_digest(session, user.id):
        errors["daily_digest"] = DIGEST_REFUSED
    if errors:
        raise ValidationFailed(errors)
    preference = _locked(session, user.id)
    preference.muted = [topic.value for topic in Topic if topic in wanted]
    was_digest, preference.daily_digest = preference.daily_digest, daily_digest
    session.add(preference)
    session.flush()
    if was_digest and not daily_digest:
        release_held(session, user.id)
    return public(session, user)


def _locked(session: Session, user_id: int) -> EmailPreference:
    """The person's row, created if missing, and locked for this transaction (a digest being gathered for
    them finishes first)."""
    preference = session.exec(
        select(EmailPreference).where(EmailPreference.user_id == user_id).with_for_update()
    ).first()
    if preference is None:
        preference = EmailPreference(user_id=user_id)
        session.add(preference)
    return preference


def release_held(session: Session, user_id: int) -> int:
    """Someone who no longer wants the digest gets what was waiting for it, one message at a time."""
    result = session.execute(
        update(Email)
        .where(col(Email.user_id) == user_id, col(Email.status) == EmailStatus.HELD)
        .values(status=EmailStatus.QUEUED, available_at=utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


# --- one-click unsubscribe (RFC 8058) ---------------------------------------------------------------------


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(settings: Settings, user_id: int, topic: Topic) -> str:
    """The secret of a person's link to turn one topic off: signed, so nobody else can make one; it does
    not expire, as an old message's link must still work."""
    assert not topic.essential
    return str(_serializer(settings).dumps([user_id, topic.value]))


def read_unsubscribe_token(session: Session, settings: Settings, token: str) -> tuple[User, Topic]:
    """Whose link it is and for which topic; a tampered, truncated or foreign token is refused (400)."""
    try:
        user_id, value = _serializer(settings).loads(token)
        topic = Topic(value)
        user = session.get(User, int(user_id))
    except (BadData, ValueError, TypeError):
        raise InvalidAccountLink(INVALID_UNSUBSCRIBE) from None
    if user is None or topic.essential:
        raise InvalidAccountLink(INVALID_UNSUBSCRIBE)
    return user, topic


def unsubscribe(session: Session, settings: Settings, token: str) -> tuple[User, Topic]:
    """Turn off the link's topic for its person (again is fine: it stays off)."""
    user, topic = read_unsubscribe_token(session, settings, token)
    assert user.id is not None
    preference = _locked(session, user.id)
    if topic not in preference.muted:
        preference.muted = [value.value for value in Topic if value in preference.muted or value == topic]
        session.add(preference)
    return user, topic
