"""Personal e-ID accounts, their authenticators, sessions and sign-in history."""

from dinhdanh.people.models.accounts import (
    AccountLevel,
    AccountLock,
    KeptNumber,
    LevelRequest,
    LockKind,
    PendingRegistration,
    RequestKind,
    RequestStatus,
    User,
)
from dinhdanh.people.models.factors import OneTimeCode, Passkey, RecoveryCode, TotpDevice
from dinhdanh.people.models.signins import AccountSession, SignInEvent, SignInMethod, SignInOutcome, Throttle

__all__ = [
    "AccountLevel",
    "AccountLock",
    "AccountSession",
    "KeptNumber",
    "LevelRequest",
    "LockKind",
    "OneTimeCode",
    "Passkey",
    "PendingRegistration",
    "RecoveryCode",
    "RequestKind",
    "RequestStatus",
    "SignInEvent",
    "SignInMethod",
    "SignInOutcome",
    "Throttle",
    "TotpDevice",
    "User",
]
