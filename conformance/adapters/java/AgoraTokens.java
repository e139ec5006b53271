import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A small Agora token implementation in Java, written for the
 * agora-token-builder conformance kit from the format description
 * (docs/format.md of the package), not from Agora's code. JDK only.
 *
 * Every builder takes the clock (issueTs, or ts for 006) and the salt as
 * arguments: that is the seam the kit needs. A production wrapper passes
 * the current time and a SecureRandom salt.
 *
 * Strings are always encoded as UTF-8, never with the platform charset.
 */
final class AgoraTokens {
    private AgoraTokens() {}

    /** A token that does not parse, or an argument out of range. */
    static final class TokenException extends Exception {
        TokenException(String message) {
            super(message);
        }
    }

    // ---- packing (little-endian) ----

    static final class Packer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Packer u16(int value) {
            if (value < 0 || value > 0xFFFF) throw new IllegalArgumentException("u16 out of range: " + value);
            out.write(value & 0xFF);
            out.write(value >>> 8);
            return this;
        }

        Packer i16(int value) {
            if (value < -32768 || value > 32767) throw new IllegalArgumentException("i16 out of range: " + value);
            return u16(value & 0xFFFF);
        }

        Packer u32(long value) {
            if (value < 0 || value > 0xFFFFFFFFL) throw new IllegalArgumentException("u32 out of range: " + value);
            for (int i = 0; i < 4; i++) out.write((int) (value >>> (8 * i)) & 0xFF);
            return this;
        }

        Packer bytes(byte[] data) {
            u16(data.length);
            out.write(data, 0, data.length);
            return this;
        }

        Packer string(String text) {
            return bytes(text.getBytes(StandardCharsets.UTF_8));
        }

        /** u16 count, then u16 key + u32 value in ascending (unsigned) key order: a TreeMap of Integer keys 0..65535. */
        Packer map32(TreeMap<Integer, Long> map) {
            u16(map.size());
            for (Map.Entry<Integer, Long> e : map.entrySet()) u16(e.getKey()).u32(e.getValue());
            return this;
        }

        Packer raw(byte[] data) {
            out.write(data, 0, data.length);
            return this;
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }

    static final class Reader {
        private final byte[] data;
        private int at;

        Reader(byte[] data) {
            this.data = data;
        }

        private void need(int n, String what) throws TokenException {
            if (at + n > data.length) throw new TokenException(what + " runs past the end");
        }

        int u16(String what) throws TokenException {
            need(2, what);
            int value = (data[at] & 0xFF) | ((data[at + 1] & 0xFF) << 8);
            at += 2;
            return value;
        }

        int i16(String what) throws TokenException {
            return (short) u16(what);
        }

        long u32(String what) throws TokenException {
            need(4, what);
            long value = 0;
            for (int i = 3; i >= 0; i--) value = (value << 8) | (data[at + i] & 0xFF);
            at += 4;
            return value;
        }

        byte[] bytes(String what) throws TokenException {
            int length = u16(what);
            need(length, what);
            byte[] out = new byte[length];
            System.arraycopy(data, at, out, 0, length);
            at += length;
            return out;
        }

        String string(String what) throws TokenException {
            byte[] raw = bytes(what);
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(raw))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new TokenException(what + " is not UTF-8");
            }
        }

        TreeMap<Integer, Long> map32(String what) throws TokenException {
            int count = u16(what);
            TreeMap<Integer, Long> map = new TreeMap<>();
            for (int i = 0; i < count; i++) map.put(u16(what), u32(what));
            return map;
        }

        int offset() {
            return at;
        }

        boolean atEnd() {
            return at == data.length;
        }
    }

    static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- AccessToken2 ("007") ----

    static final int RTC = 1, RTM = 2, STREAMING = 3, FPA = 4, CHAT = 5, FCDN = 6, APAAS = 7, RTM2 = 8, CONVOAI = 9, STT = 10;

    /** The string fields after the privileges, by service type (Apaas adds an i16 role, Rtm2 the permissions). */
    static String[] fieldsOf(int type) {
        switch (type) {
            case RTC: return new String[] {"channelName", "uid"};
            case RTM: case CHAT: case RTM2: return new String[] {"userId"};
            case STREAMING: case FCDN: return new String[] {"channelName", "account"};
            case APAAS: return new String[] {"roomUuid", "userUuid"};
            case FPA: case CONVOAI: case STT: return new String[0];
            default: return null;
        }
    }

    /** One service: its type, privileges, string fields in wire order, and the Apaas role or Rtm2 permissions. */
    static final class Service {
        final int type;
        final TreeMap<Integer, Long> privileges = new TreeMap<>();
        final List<String> fields = new ArrayList<>();
        int role;
        /** resourceType -> permissionType -> resources (in the order given). */
        final TreeMap<Integer, TreeMap<Integer, List<String>>> permissions = new TreeMap<>();

        Service(int type) {
            if (fieldsOf(type) == null) throw new IllegalArgumentException("unknown service type " + type);
            this.type = type;
        }

        Service privilege(int key, long value) {
            privileges.put(key, value);
            return this;
        }

        Service field(String value) {
            fields.add(value);
            return this;
        }

        void pack(Packer p) {
            p.u16(type).map32(privileges);
            for (String field : fields) p.string(field);
            if (type == APAAS) p.i16(role);
            if (type == RTM2) {
                p.u16(permissions.size());
                for (Map.Entry<Integer, TreeMap<Integer, List<String>>> rt : permissions.entrySet()) {
                    p.u16(rt.getKey()).u16(rt.getValue().size());
                    for (Map.Entry<Integer, List<String>> pt : rt.getValue().entrySet()) {
                        p.u16(pt.getKey()).u16(pt.getValue().size());
                        for (String resource : pt.getValue()) p.string(resource);
                    }
                }
            }
        }
    }

    static byte[] signingKey007(String appCertificate, long issueTs, long salt) {
        byte[] first = hmac(new Packer().u32(issueTs).toBytes(), appCertificate.getBytes(StandardCharsets.US_ASCII));
        return hmac(new Packer().u32(salt).toBytes(), first);
    }

    /** The uncompressed content of a 007 token: bytes(signature) + signingInfo. Services are packed stably sorted by type. */
    static byte[] content007(String appId, String appCertificate, long issueTs, long expire, long salt, List<Service> services) {
        List<Service> sorted = new ArrayList<>(services);
        sorted.sort((a, b) -> Integer.compare(a.type, b.type)); // List.sort is stable
        Packer info = new Packer().string(appId).u32(issueTs).u32(expire).u32(salt).u16(sorted.size());
        for (Service s : sorted) s.pack(info);
        byte[] signingInfo = info.toBytes();
        byte[] signature = hmac(signingKey007(appCertificate, issueTs, salt), signingInfo);
        return new Packer().bytes(signature).raw(signingInfo).toBytes();
    }

    static String build007(String appId, String appCertificate, long issueTs, long expire, long salt, List<Service> services) {
        byte[] content = content007(appId, appCertificate, issueTs, expire, salt, services);
        Deflater deflater = new Deflater();
        deflater.setInput(content);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[1024];
        while (!deflater.finished()) out.write(buffer, 0, deflater.deflate(buffer));
        deflater.end();
        return "007" + Base64.getEncoder().encodeToString(out.toByteArray());
    }

    /** A parsed 007 token. */
    static final class Parsed007 {
        String appId;
        long issueTs, expire, salt;
        byte[] signature;
        byte[] signingInfo;
        final List<Service> services = new ArrayList<>();
        /** The first service type this reader does not know, or -1. */
        int unknownServiceType = -1;
    }

    private static final int MAX_CONTENT = 1 << 20;

    /** Standard padded base64 only: no URL-safe alphabet, no missing padding, no stray characters. */
    static byte[] strictBase64(String text) throws TokenException {
        if (text.isEmpty() || text.length() % 4 != 0 || !text.matches("[A-Za-z0-9+/]*={0,2}")) {
            throw new TokenException("not standard padded base64");
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new TokenException("not base64");
        }
    }

    /** Exactly one complete zlib stream (checksum included), nothing after it, at most 1 MiB inflated. */
    static byte[] strictInflate(byte[] data) throws TokenException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) throw new TokenException("the zlib stream is incomplete");
                out.write(buffer, 0, n);
                if (out.size() > MAX_CONTENT) throw new TokenException("the content is larger than 1 MiB");
            }
            if (inflater.getRemaining() != 0) throw new TokenException("bytes after the end of the zlib stream");
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new TokenException("not a zlib stream");
        } finally {
            inflater.end();
        }
    }

    static Parsed007 parse007(String token) throws TokenException {
        if (!token.startsWith("007")) throw new TokenException("not a 007 token");
        byte[] content = strictInflate(strictBase64(token.substring(3)));
        Reader r = new Reader(content);
        Parsed007 t = new Parsed007();
        t.signature = r.bytes("signature");
        if (t.signature.length != 32) throw new TokenException("the signature is not 32 bytes");
        int infoStart = r.offset();
        t.appId = r.string("appId");
        t.issueTs = r.u32("issueTs");
        t.expire = r.u32("expire");
        t.salt = r.u32("salt");
        int count = r.u16("service count");
        for (int i = 0; i < count; i++) {
            int type = r.u16("service type");
            String[] fields = fieldsOf(type);
            if (fields == null) {
                // Its length is not on the wire: stop here, keep what was read, report the type.
                t.unknownServiceType = type;
                break;
            }
            Service s = new Service(type);
            s.privileges.putAll(r.map32("privileges"));
            for (String field : fields) s.fields.add(r.string(field));
            if (type == APAAS) s.role = r.i16("role");
            if (type == RTM2) {
                int resourceTypes = r.u16("permissions");
                for (int a = 0; a < resourceTypes; a++) {
                    int resourceType = r.u16("resource type");
                    TreeMap<Integer, List<String>> byPermission = new TreeMap<>();
                    int permissionTypes = r.u16("permission types");
                    for (int b = 0; b < permissionTypes; b++) {
                        int permissionType = r.u16("permission type");
                        List<String> resources = new ArrayList<>();
                        int n = r.u16("resources");
                        for (int k = 0; k < n; k++) resources.add(r.string("resource"));
                        byPermission.put(permissionType, resources);
                    }
                    s.permissions.put(resourceType, byPermission);
                }
            }
            t.services.add(s);
        }
        if (t.unknownServiceType < 0 && !r.atEnd()) throw new TokenException("bytes after the last service");
        t.signingInfo = new byte[content.length - infoStart];
        System.arraycopy(content, infoStart, t.signingInfo, 0, t.signingInfo.length);
        return t;
    }

    /** Whether the token parses strictly and its signature matches the certificate. Expiry is not checked. */
    static boolean verify007(String token, String appCertificate) {
        try {
            Parsed007 t = parse007(token);
            byte[] expected = hmac(signingKey007(appCertificate, t.issueTs, t.salt), t.signingInfo);
            return MessageDigest.isEqual(expected, t.signature);
        } catch (TokenException e) {
            return false;
        }
    }

    // ---- legacy AccessToken ("006") ----

    static long crc32(String text) {
        CRC32 crc = new CRC32();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }

    static byte[] message006(long salt, long ts, TreeMap<Integer, Long> privileges) {
        return new Packer().u32(salt).u32(ts).map32(privileges).toBytes();
    }

    static byte[] signature006(String appId, String appCertificate, String channelName, String uid, byte[] message) {
        byte[] head = (appId + channelName + uid).getBytes(StandardCharsets.UTF_8);
        byte[] signed = new Packer().raw(head).raw(message).toBytes();
        return hmac(appCertificate.getBytes(StandardCharsets.US_ASCII), signed);
    }

    static String build006(String appId, String appCertificate, String channelName, String uid, long salt, long ts, TreeMap<Integer, Long> privileges) {
        byte[] message = message006(salt, ts, privileges);
        byte[] signature = signature006(appId, appCertificate, channelName, uid, message);
        byte[] content = new Packer().bytes(signature).u32(crc32(channelName)).u32(crc32(uid)).bytes(message).toBytes();
        return "006" + appId + Base64.getEncoder().encodeToString(content);
    }

    /** Whether a 006 token parses strictly and is signed for this certificate, channel name and uid. */
    static boolean verify006(String token, String appCertificate, String channelName, String uid) {
        try {
            if (!token.startsWith("006") || token.length() < 35) throw new TokenException("not a 006 token");
            String appId = token.substring(3, 35);
            if (!appId.matches("[0-9a-fA-F]{32}")) throw new TokenException("the App ID is not 32 hex characters");
            Reader r = new Reader(strictBase64(token.substring(35)));
            byte[] signature = r.bytes("signature");
            long crcChannel = r.u32("crcChannelName");
            long crcUid = r.u32("crcUid");
            byte[] message = r.bytes("message");
            if (!r.atEnd()) throw new TokenException("bytes after the message");
            Reader m = new Reader(message);
            m.u32("salt");
            m.u32("ts");
            m.map32("privileges");
            if (!m.atEnd()) throw new TokenException("bytes after the privileges");
            byte[] expected = signature006(appId, appCertificate, channelName, uid, message);
            return crcChannel == crc32(channelName) && crcUid == crc32(uid) && MessageDigest.isEqual(expected, signature);
        } catch (TokenException e) {
            return false;
        }
    }

    // ---- builders (docs/format.md section 3), each with its clock and salt as arguments ----

    /** RtcTokenBuilder2 roles. Nothing else is a role here: the adapter answers "unsupported" for other values. */
    enum RtcRole {
        PUBLISHER(1), SUBSCRIBER(2);

        final int value;

        RtcRole(int value) {
            this.value = value;
        }

        static RtcRole of(long value) {
            for (RtcRole role : values()) if (role.value == value) return role;
            return null;
        }
    }

    /** A uid for an RTC service: 0 is "" (any user), others their decimal digits. Range 0..2^32-1. */
    static String uidString(long uid) {
        if (uid < 0 || uid > 0xFFFFFFFFL) throw new IllegalArgumentException("uid must be in 0..4294967295, got " + uid);
        return uid == 0 ? "" : Long.toString(uid);
    }

    static String chatUserToken(String appId, String cert, String userId, long expire, long issueTs, long salt) {
        if (userId.isEmpty()) throw new IllegalArgumentException("userId must not be empty");
        return build007(appId, cert, issueTs, expire, salt, List.of(new Service(CHAT).privilege(1, expire).field(userId)));
    }

    static String chatAppToken(String appId, String cert, long expire, long issueTs, long salt) {
        return build007(appId, cert, issueTs, expire, salt, List.of(new Service(CHAT).privilege(2, expire).field("")));
    }

    static Service rtcService(String channelName, String account, long join, long audio, long video, long data, boolean publish) {
        Service s = new Service(RTC).privilege(1, join);
        if (publish) s.privilege(2, audio).privilege(3, video).privilege(4, data);
        return s.field(channelName).field(account);
    }

    /** buildTokenWithUid / buildTokenWithUserAccount: pass uidString(uid) or the account. */
    static String rtcToken(String appId, String cert, String channelName, String account, RtcRole role, long tokenExpire, long privilegeExpire, long issueTs, long salt) {
        long p = privilegeExpire;
        return build007(appId, cert, issueTs, tokenExpire, salt, List.of(rtcService(channelName, account, p, p, p, p, role == RtcRole.PUBLISHER)));
    }

    /** buildTokenWithUidAndPrivilege / buildTokenWithUserAccountAndPrivilege. */
    static String rtcTokenWithPrivileges(String appId, String cert, String channelName, String account, long tokenExpire, long join, long audio, long video, long data, long issueTs, long salt) {
        return build007(appId, cert, issueTs, tokenExpire, salt, List.of(rtcService(channelName, account, join, audio, video, data, true)));
    }

    static String rtcTokenWithRtm(String appId, String cert, String channelName, String account, RtcRole role, long tokenExpire, long privilegeExpire, long issueTs, long salt) {
        long p = privilegeExpire;
        return build007(appId, cert, issueTs, tokenExpire, salt, List.of(
                rtcService(channelName, account, p, p, p, p, role == RtcRole.PUBLISHER),
                new Service(RTM).privilege(1, tokenExpire).field(account)));
    }

    /** buildTokenWithRtm2, and with extraType 9 or 10 ConvoAITokenBuilder / SttTokenBuilder.buildToken (0: none). */
    static String rtcTokenWithRtm2(String appId, String cert, String channelName, String rtcAccount, RtcRole rtcRole, long rtcTokenExpire,
            long join, long audio, long video, long data, String rtmUserId, long rtmTokenExpire, int extraType, long issueTs, long salt) {
        List<Service> services = new ArrayList<>();
        services.add(rtcService(channelName, rtcAccount, join, audio, video, data, rtcRole == RtcRole.PUBLISHER));
        services.add(new Service(RTM).privilege(1, rtmTokenExpire).field(rtmUserId));
        if (extraType != 0) services.add(new Service(extraType));
        return build007(appId, cert, issueTs, rtcTokenExpire, salt, services);
    }

    static String rtmToken(String appId, String cert, String userId, long expire, long issueTs, long salt) {
        return build007(appId, cert, issueTs, expire, salt, List.of(new Service(RTM).privilege(1, expire).field(userId)));
    }

    static String rtmTokenWithPermissions(String appId, String cert, String userId, TreeMap<Integer, TreeMap<Integer, List<String>>> permissions, long expire, long issueTs, long salt) {
        Service s = new Service(RTM2).privilege(1, expire).field(userId);
        s.permissions.putAll(permissions);
        return build007(appId, cert, issueTs, expire, salt, List.of(s));
    }

    static String fpaToken(String appId, String cert, long issueTs, long salt) {
        return build007(appId, cert, issueTs, 86400, salt, List.of(new Service(FPA).privilege(1, 0)));
    }

    static Service apaas(String roomUuid, String userUuid, int role) {
        Service s = new Service(APAAS).field(roomUuid).field(userUuid);
        s.role = role;
        return s;
    }

    static String md5Hex(String text) {
        try {
            StringBuilder hex = new StringBuilder();
            for (byte b : MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8))) hex.append(String.format("%02x", b & 0xFF));
            return hex.toString(); // all 32 digits, leading zeros kept
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** ApaasTokenBuilder (and its older name EducationTokenBuilder).buildRoomUserToken. */
    static String apaasRoomUserToken(String appId, String cert, String roomUuid, String userUuid, int role, long expire, long issueTs, long salt) {
        return build007(appId, cert, issueTs, expire, salt, List.of(
                apaas(roomUuid, userUuid, role).privilege(1, expire),
                new Service(RTM).privilege(1, expire).field(userUuid),
                new Service(CHAT).privilege(1, expire).field(md5Hex(userUuid))));
    }

    static String apaasUserToken(String appId, String cert, String userUuid, long expire, long issueTs, long salt) {
        return build007(appId, cert, issueTs, expire, salt, List.of(apaas("", userUuid, -1).privilege(2, expire)));
    }

    static String apaasAppToken(String appId, String cert, long expire, long issueTs, long salt) {
        return build007(appId, cert, issueTs, expire, salt, List.of(apaas("", "", -1).privilege(3, expire)));
    }

    // ---- 006 builders: the token's salt and ts (its own expiry) as arguments ----

    /** RtcTokenBuilder roles of the 006 builders. */
    enum Role006 {
        ATTENDEE(0), PUBLISHER(1), SUBSCRIBER(2), ADMIN(101);

        final int value;

        Role006(int value) {
            this.value = value;
        }

        static Role006 of(long value) {
            for (Role006 role : values()) if (role.value == value) return role;
            return null;
        }
    }

    /** RtcTokenBuilder.buildTokenWithUid (pass uidString(uid)) / buildTokenWithAccount. */
    static String rtcToken006(String appId, String cert, String channelName, String account, Role006 role, long privilegeExpiredTs, long salt, long ts) {
        TreeMap<Integer, Long> privileges = new TreeMap<>();
        privileges.put(1, privilegeExpiredTs);
        if (role != Role006.SUBSCRIBER) {
            privileges.put(2, privilegeExpiredTs);
            privileges.put(3, privilegeExpiredTs);
            privileges.put(4, privilegeExpiredTs);
        }
        return build006(appId, cert, channelName, account, salt, ts, privileges);
    }

    /** RtmTokenBuilder.buildToken with role Rtm_User (1), the only role. */
    static String rtmToken006(String appId, String cert, String account, long privilegeExpiredTs, long salt, long ts) {
        TreeMap<Integer, Long> privileges = new TreeMap<>();
        privileges.put(1000, privilegeExpiredTs);
        return build006(appId, cert, account, "", salt, ts, privileges);
    }
}
