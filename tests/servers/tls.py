"""Certificate files for the TLS test servers, issued by a trustme CA."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import trustme


def write_ca_file(ca: trustme.CA, directory: Path) -> Path:
    """Write the CA certificate as PEM and return its path.

    Args:
        ca: the issuing test CA.
        directory: where to write `ca.pem`.

    Example: `ssl.create_default_context(cafile=write_ca_file(ca, tmp_path))`
    """
    path = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def write_leaf_file(
    ca: trustme.CA, path: Path, *identities: str, common_name: str | None = None
) -> Path:
    """Issue a certificate from `ca` and write key plus chain to one PEM file.

    Args:
        ca: the issuing test CA.
        path: the file to write.
        identities: host names, IP addresses or e-mail addresses for subjectAltName.
        common_name: the subject's CN; trustme picks one when omitted.

    Example: `write_leaf_file(ca, tmp_path / "server.pem", "localhost", "127.0.0.1")`
    """
    cert = ca.issue_cert(*identities, common_name=common_name)
    cert.private_key_and_cert_chain_pem.write_to_path(str(path))
    return path


def subject_hash(cert_file: Path) -> str:
    """Return OpenSSL's subject-name hash of a PEM certificate, as used for `capath` names.

    `ssl` exposes no API for this hash (a truncated SHA-1 of the canonical subject
    name), so it is computed by the `openssl` command line tool.

    Args:
        cert_file: a PEM certificate.

    Example: `subject_hash(ca_file)` might return `"9d66eef0"`.
    """
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("the openssl command is needed to name files in a CA directory")
    result = subprocess.run(
        [openssl, "x509", "-hash", "-noout", "-in", str(cert_file)],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def make_ca_dir(ca_file: Path, directory: Path) -> Path:
    """Create a `capath` directory (c_rehash layout: `<subject hash>.0`) holding `ca_file`.

    Args:
        ca_file: the PEM CA certificate.
        directory: the directory to create.

    Example: `ssl.create_default_context(capath=make_ca_dir(ca_file, tmp_path / "certs"))`
    """
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ca_file, directory / f"{subject_hash(ca_file)}.0")
    return directory
