"""JSON API of a person's e-mail choices: which topics they receive, and the daily digest."""

from __future__ import annotations

from fastapi import APIRouter

from market.deps import ApiUserDep, SessionDep
from market.mail import preferences
from market.mail.schemas import EmailPreferencesPublic, EmailPreferencesUpdate

router = APIRouter(tags=["accounts"])


@router.get("/me/email-preferences", response_model=EmailPreferencesPublic)
def get_email_preferences(user: ApiUserDep, session: SessionDep) -> EmailPreferencesPublic:
    return preferences.public(session, user)


@router.put(
    "/me/email-preferences",
    response_model=EmailPreferencesPublic,
    responses={422: {"description": "An essential topic (account, orders) or the digest for a non-producer"}},
)
def put_email_preferences(
    data: EmailPreferencesUpdate, user: ApiUserDep, session: SessionDep
) -> EmailPreferencesPublic:
    return preferences.update_choices(session, user, data.muted, data.daily_digest)
