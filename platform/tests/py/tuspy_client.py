"""Drives the platform's /v1/uploads with tuspy, a standard tus client, unchanged.

Usage: python tuspy_client.py BASE_URL TOKEN WORKDIR
Prints one JSON object with what happened; the Rust test (platform/tests/tuspy.rs) checks it
against the server's assets.
"""
import hashlib
import json
import os
import sys

from tusclient import client
from tusclient.storage.filestorage import FileStorage
from tusclient.uploader import Uploader


class Sha256Uploader(Uploader):
    # tuspy's checksum extension support, configured for the algorithm the server offers.
    CHECKSUM_ALGORITHM_PAIR = ("sha256", hashlib.sha256)


def main():
    base, token, workdir = sys.argv[1:4]
    tus = client.TusClient(base + "/v1/uploads", headers={"Authorization": "Bearer " + token})
    out = {}

    # 1. A master in 256 KiB chunks with per-chunk sha256 checksums, interrupted after two
    #    chunks ("the app quits"), then resumed by a new uploader that finds the upload URL in
    #    tuspy's own URL storage by the file's fingerprint.
    master = os.path.join(workdir, "master.wav")
    with open(master, "wb") as f:
        f.write(os.urandom(1_300_000))
    with open(master, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    meta = {"filename": "master.wav", "asset": "master", "sha256": sha,
            "release": "01900000-0000-7000-8000-000000000001"}
    storage = FileStorage(os.path.join(workdir, "tus-urls.json"))
    chunk = 256 * 1024
    first = Sha256Uploader(master, client=tus, chunk_size=chunk, metadata=meta, upload_checksum=True,
                           store_url=True, url_storage=storage)
    first.upload(stop_at=2 * chunk)
    out["first_url"] = first.url
    out["first_offset"] = first.offset
    second = Sha256Uploader(master, client=tus, chunk_size=chunk, metadata=meta, upload_checksum=True,
                            store_url=True, url_storage=storage)
    out["resumed_url"] = second.url
    out["resumed_from"] = second.get_offset()
    second.upload()
    out["final_offset"] = second.offset
    out["master_sha256"] = sha

    # 2. Artwork in one request with tuspy's defaults (no checksum, one PATCH).
    art = os.path.join(workdir, "cover.jpg")
    with open(art, "wb") as f:
        f.write(os.urandom(200_000))
    with open(art, "rb") as f:
        art_sha = hashlib.sha256(f.read()).hexdigest()
    plain = tus.uploader(art, metadata={"filename": "cover.jpg", "asset": "artwork"})
    plain.upload()
    out["artwork_url"] = plain.url
    out["artwork_offset"] = plain.offset
    out["artwork_sha256"] = art_sha
    print(json.dumps(out))


if __name__ == "__main__":
    main()
