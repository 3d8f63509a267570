"""Approval attestations: an in-toto Statement (v1) about one revision's Export JSON, in a
DSSE envelope signed with the studio's key (docs/attestations.md).

No database and no HTTP here: ``statement`` builds the payload, ``keys`` loads (or creates)
the signing key, ``envelope`` signs and verifies. The formats come from in-toto-attestation
and securesystemslib, the cryptography from ``cryptography``.
"""
