"""Cổng dịch vụ công (demo): a small relying party beside the platform (issue 12.5).

A FAPI 2.0 client written the way a real one would be — Authlib's OAuth 2.0 client with
``private_key_jwt``, plus the two pieces Authlib lacks (PAR, RFC 9126, and DPoP, RFC 9449) as small
hooks over joserfc. It speaks only HTTP to the provider and never imports ``dinhdanh``: whatever it
can do, any relying party can.
"""
