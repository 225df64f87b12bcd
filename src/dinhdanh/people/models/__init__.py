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
from dinhdanh.people.models.data_requests import OPEN_STATES, DataRequest, DataRequestKind, DataRequestState
from dinhdanh.people.models.factors import OneTimeCode, Passkey, RecoveryCode, SpentChallenge, TotpDevice
from dinhdanh.people.models.signins import AccountSession, SignInEvent, SignInMethod, SignInOutcome, Throttle

__all__ = [
    "OPEN_STATES",
    "AccountLevel",
    "AccountLock",
    "AccountSession",
    "DataRequest",
    "DataRequestKind",
    "DataRequestState",
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
    "SpentChallenge",
    "Throttle",
    "TotpDevice",
    "User",
]
