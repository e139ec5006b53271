#!/usr/bin/env python3
"""Conformance adapter in Python 3, standard library only: Agora Chat tokens
(AccessToken2, "007") written from the format description, to show the
protocol outside JavaScript. Everything else is answered "unsupported".

    npx agora-token-builder conformance -- python3 conformance/adapters/chat_adapter.py
"""
import base64
import hashlib
import hmac
import json
import struct
import sys
import zlib

CHAT = 5
PRIVILEGE_USER, PRIVILEGE_APP = 1, 2


def pack_u16(value):
    return struct.pack("<H", value)


def pack_u32(value):
    return struct.pack("<I", value)


def pack_bytes(data):
    return pack_u16(len(data)) + data


def pack_string(text):
    return pack_bytes(text.encode("utf-8"))


def pack_privileges(privileges):
    """u16 count, then u16 key + u32 value in ascending key order."""
    keys = sorted(int(key) for key in privileges)
    return pack_u16(len(keys)) + b"".join(pack_u16(k) + pack_u32(privileges[str(k)]) for k in keys)


def chat_service(user_id, privileges):
    return pack_u16(CHAT) + pack_privileges(privileges) + pack_string(user_id)


def token007(app_id, app_certificate, issue_ts, salt, expire, services):
    """services: packed service bytes, already in wire order (sorted by type)."""
    signing_info = (pack_string(app_id) + pack_u32(issue_ts) + pack_u32(expire) + pack_u32(salt)
                    + pack_u16(len(services)) + b"".join(services))
    key = hmac.new(pack_u32(issue_ts), app_certificate.encode("ascii"), hashlib.sha256).digest()
    key = hmac.new(pack_u32(salt), key, hashlib.sha256).digest()
    signature = hmac.new(key, signing_info, hashlib.sha256).digest()
    content = pack_bytes(signature) + signing_info
    return "007" + base64.b64encode(zlib.compress(content)).decode("ascii")


def handle(request):
    kind = request["kind"]
    if kind == "token007":
        services = request["services"]
        if not services or any(s["type"] != CHAT for s in services):
            return {"unsupported": True, "reason": "only Chat services"}
        packed = [chat_service(s["userId"], s["privileges"]) for s in services]
        return {"token": token007(request["appId"], request["appCertificate"], request["issueTs"],
                                  request["salt"], request["expire"], packed)}
    if kind == "builder" and request["name"] in ("ChatTokenBuilder2.buildUserToken", "ChatTokenBuilder2.buildAppToken"):
        args = request["args"]
        if request["name"].endswith("buildUserToken"):
            service = chat_service(args["userId"], {str(PRIVILEGE_USER): args["expire"]})
        else:
            service = chat_service("", {str(PRIVILEGE_APP): args["expire"]})
        return {"token": token007(args["appId"], args["appCertificate"], request["issueTs"],
                                  request["salt"], args["expire"], [service])}
    return {"unsupported": True, "reason": "only Chat tokens (token007 and ChatTokenBuilder2) are implemented"}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            answer = handle(request)
        except Exception as error:  # an answer, not a crash: the kit reports it as this case's failure
            answer = {"error": repr(error)}
        sys.stdout.write(json.dumps({"id": request["id"], **answer}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
