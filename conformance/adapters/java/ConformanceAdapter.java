import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The conformance adapter for AgoraTokens.java (JDK 17, no other library):
 * reads one JSON request per line on stdin, answers one JSON line on stdout
 * (docs/conformance.md of agora-token-builder).
 *
 *   javac -d /tmp/adapter conformance/adapters/java/*.java
 *   npx agora-token-builder conformance -- java -Dfile.encoding=UTF-8 -cp /tmp/adapter ConformanceAdapter
 *
 * stdin and stdout are read and written as UTF-8 explicitly: the JVM's
 * default charset is the platform's, which may not be UTF-8.
 *
 * Arguments the implementation cannot express (a role its enum lacks, an
 * empty chat user id it refuses) are answered "unsupported" with the reason:
 * the kit's one rule for them.
 */
public final class ConformanceAdapter {
    /** An argument this implementation refuses by design: answered "unsupported" with this reason. */
    static final class Unsupported extends Exception {
        Unsupported(String reason) {
            super(reason);
        }
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), false);
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) continue;
            String id = null;
            String answer;
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> request = (Map<String, Object>) Json.parse(line);
                id = (String) request.get("id");
                answer = handle(request);
            } catch (Unsupported e) {
                answer = "\"unsupported\":true,\"reason\":" + Json.quote(e.getMessage());
            } catch (Exception e) {
                // An answer, not a crash: the kit reports it as this request's failure.
                answer = "\"error\":" + Json.quote(e.toString());
            }
            out.print("{\"id\":" + (id == null ? "null" : Json.quote(id)) + "," + answer + "}\n");
            out.flush();
        }
    }

    static String token(String token) {
        return "\"token\":" + Json.quote(token);
    }

    static String handle(Map<String, Object> r) throws Unsupported, AgoraTokens.TokenException {
        String kind = str(r, "kind");
        switch (kind) {
            case "token007": {
                List<AgoraTokens.Service> services = new ArrayList<>();
                for (Object s : list(r, "services")) services.add(service(map(s)));
                return token(AgoraTokens.build007(str(r, "appId"), str(r, "appCertificate"), num(r, "issueTs"), num(r, "expire"), num(r, "salt"), services));
            }
            case "token006":
                return token(AgoraTokens.build006(str(r, "appId"), str(r, "appCertificate"), str(r, "channelName"), str(r, "uid"),
                        num(r, "salt"), num(r, "ts"), privileges(map(r.get("privileges")))));
            case "builder":
                return token(builder(str(r, "name"), map(r.get("args")), r));
            case "verify": {
                String token = str(r, "token");
                boolean valid = token.startsWith("006")
                        ? AgoraTokens.verify006(token, str(r, "appCertificate"), str(r, "channelName"), str(r, "uid"))
                        : AgoraTokens.verify007(token, str(r, "appCertificate"));
                return "\"valid\":" + valid;
            }
            default:
                throw new Unsupported("request kind " + kind);
        }
    }

    static AgoraTokens.Service service(Map<String, Object> s) {
        int type = (int) num(s, "type");
        AgoraTokens.Service service = new AgoraTokens.Service(type);
        service.privileges.putAll(privileges(map(s.get("privileges"))));
        for (String field : AgoraTokens.fieldsOf(type)) service.fields.add(str(s, field));
        if (type == AgoraTokens.APAAS) service.role = (int) num(s, "role");
        if (type == AgoraTokens.RTM2) service.permissions.putAll(permissions(map(s.get("permissions"))));
        return service;
    }

    static String builder(String name, Map<String, Object> a, Map<String, Object> r) throws Unsupported {
        // The pinned clock and salt: issueTs for a 007 builder, ts (the token's own expiry) for a 006 one.
        long salt = num(r, "salt");
        long issueTs = r.containsKey("issueTs") ? num(r, "issueTs") : 0;
        String appId = str(a, "appId");
        String cert = str(a, "appCertificate");
        switch (name) {
            case "ChatTokenBuilder2.buildUserToken":
                if (str(a, "userId").isEmpty()) throw new Unsupported("a chat user token for an empty userId is refused");
                return AgoraTokens.chatUserToken(appId, cert, str(a, "userId"), num(a, "expire"), issueTs, salt);
            case "ChatTokenBuilder2.buildAppToken":
                return AgoraTokens.chatAppToken(appId, cert, num(a, "expire"), issueTs, salt);
            case "RtcTokenBuilder2.buildTokenWithUid":
                return AgoraTokens.rtcToken(appId, cert, str(a, "channelName"), uid(a), rtcRole(a, "role"), num(a, "tokenExpire"),
                        optional(a, "privilegeExpire"), issueTs, salt);
            case "RtcTokenBuilder2.buildTokenWithUserAccount":
                return AgoraTokens.rtcToken(appId, cert, str(a, "channelName"), str(a, "account"), rtcRole(a, "role"), num(a, "tokenExpire"),
                        optional(a, "privilegeExpire"), issueTs, salt);
            case "RtcTokenBuilder2.buildTokenWithUidAndPrivilege":
            case "RtcTokenBuilder2.buildTokenWithUserAccountAndPrivilege":
                return AgoraTokens.rtcTokenWithPrivileges(appId, cert, str(a, "channelName"),
                        name.endsWith("UidAndPrivilege") ? uid(a) : str(a, "account"), num(a, "tokenExpire"), num(a, "joinChannelPrivilegeExpire"),
                        num(a, "pubAudioPrivilegeExpire"), num(a, "pubVideoPrivilegeExpire"), num(a, "pubDataStreamPrivilegeExpire"), issueTs, salt);
            case "RtcTokenBuilder2.buildTokenWithRtm":
                return AgoraTokens.rtcTokenWithRtm(appId, cert, str(a, "channelName"), str(a, "account"), rtcRole(a, "role"), num(a, "tokenExpire"),
                        optional(a, "privilegeExpire"), issueTs, salt);
            case "RtcTokenBuilder2.buildTokenWithRtm2":
            case "ConvoAITokenBuilder.buildToken":
            case "SttTokenBuilder.buildToken": {
                int extra = name.startsWith("ConvoAI") ? AgoraTokens.CONVOAI : name.startsWith("Stt") ? AgoraTokens.STT : 0;
                return AgoraTokens.rtcTokenWithRtm2(appId, cert, str(a, "channelName"), str(a, "rtcAccount"), rtcRole(a, "rtcRole"),
                        num(a, "rtcTokenExpire"), num(a, "joinChannelPrivilegeExpire"), num(a, "pubAudioPrivilegeExpire"),
                        num(a, "pubVideoPrivilegeExpire"), num(a, "pubDataStreamPrivilegeExpire"), str(a, "rtmUserId"), num(a, "rtmTokenExpire"),
                        extra, issueTs, salt);
            }
            case "RtmTokenBuilder2.buildToken":
                return AgoraTokens.rtmToken(appId, cert, str(a, "userId"), num(a, "expire"), issueTs, salt);
            case "RtmTokenBuilder2.buildTokenWithPermissions":
                return AgoraTokens.rtmTokenWithPermissions(appId, cert, str(a, "userId"), permissions(map(a.get("permissions"))), num(a, "expire"), issueTs, salt);
            case "FpaTokenBuilder.buildToken":
                return AgoraTokens.fpaToken(appId, cert, issueTs, salt);
            case "ApaasTokenBuilder.buildRoomUserToken":
            case "EducationTokenBuilder.buildRoomUserToken": {
                long role = num(a, "role");
                if (role < -32768 || role > 32767) throw new Unsupported("an Apaas role outside -32768..32767 (" + role + ")");
                return AgoraTokens.apaasRoomUserToken(appId, cert, str(a, "roomUuid"), str(a, "userUuid"), (int) role, num(a, "expire"), issueTs, salt);
            }
            case "ApaasTokenBuilder.buildUserToken":
            case "EducationTokenBuilder.buildUserToken":
                return AgoraTokens.apaasUserToken(appId, cert, str(a, "userUuid"), num(a, "expire"), issueTs, salt);
            case "ApaasTokenBuilder.buildAppToken":
            case "EducationTokenBuilder.buildAppToken":
                return AgoraTokens.apaasAppToken(appId, cert, num(a, "expire"), issueTs, salt);
            case "RtcTokenBuilder.buildTokenWithUid":
            case "RtcTokenBuilder.buildTokenWithAccount": {
                long role = num(a, "role");
                AgoraTokens.Role006 role006 = AgoraTokens.Role006.of(role);
                if (role006 == null) throw new Unsupported("a 006 RTC role other than 0, 1, 2 or 101 (" + role + ")");
                String account = name.endsWith("WithUid") ? uid(a) : str(a, "account");
                return AgoraTokens.rtcToken006(appId, cert, str(a, "channelName"), account, role006, num(a, "privilegeExpiredTs"), salt, num(r, "ts"));
            }
            case "RtmTokenBuilder.buildToken": {
                long role = num(a, "role");
                if (role != 1) throw new Unsupported("a 006 RTM role other than Rtm_User (1) (" + role + ")");
                return AgoraTokens.rtmToken006(appId, cert, str(a, "account"), num(a, "privilegeExpiredTs"), salt, num(r, "ts"));
            }
            default:
                throw new Unsupported("no builder " + name);
        }
    }

    static AgoraTokens.RtcRole rtcRole(Map<String, Object> a, String key) throws Unsupported {
        long value = num(a, key);
        AgoraTokens.RtcRole role = AgoraTokens.RtcRole.of(value);
        if (role == null) throw new Unsupported("an RTC role other than PUBLISHER (1) or SUBSCRIBER (2) (" + value + ")");
        return role;
    }

    static String uid(Map<String, Object> a) throws Unsupported {
        long uid = num(a, "uid");
        if (uid < 0 || uid > 0xFFFFFFFFL) throw new Unsupported("a uid outside 0..4294967295 (" + uid + ")");
        return AgoraTokens.uidString(uid);
    }

    static TreeMap<Integer, Long> privileges(Map<String, Object> m) {
        TreeMap<Integer, Long> out = new TreeMap<>();
        for (Map.Entry<String, Object> e : m.entrySet()) out.put(Integer.parseInt(e.getKey()), (Long) e.getValue());
        return out;
    }

    static TreeMap<Integer, TreeMap<Integer, List<String>>> permissions(Map<String, Object> m) {
        TreeMap<Integer, TreeMap<Integer, List<String>>> out = new TreeMap<>();
        for (Map.Entry<String, Object> rt : m.entrySet()) {
            TreeMap<Integer, List<String>> byPermission = new TreeMap<>();
            for (Map.Entry<String, Object> pt : map(rt.getValue()).entrySet()) {
                List<String> resources = new ArrayList<>();
                for (Object resource : (List<?>) pt.getValue()) resources.add((String) resource);
                byPermission.put(Integer.parseInt(pt.getKey()), resources);
            }
            out.put(Integer.parseInt(rt.getKey()), byPermission);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    static List<?> list(Map<String, Object> m, String key) {
        return (List<?>) m.get(key);
    }

    static String str(Map<String, Object> m, String key) {
        Object value = m.get(key);
        if (!(value instanceof String)) throw new IllegalArgumentException(key + " must be a string, got " + value);
        return (String) value;
    }

    static long num(Map<String, Object> m, String key) {
        Object value = m.get(key);
        if (!(value instanceof Long)) throw new IllegalArgumentException(key + " must be an integer, got " + value);
        return (Long) value;
    }

    static long optional(Map<String, Object> m, String key) {
        return m.containsKey(key) ? num(m, key) : 0;
    }
}
