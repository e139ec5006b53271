// docs/conformance.md is the kit's contract: its builder tables are in step
// with the vectors (scripts/conformance-doc.mjs), the ids it shows exist,
// every option of the command is documented, and request ids stay stable.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without declarations
import { builderTables, updatedDoc } from '../scripts/conformance-doc.mjs';
import { conformanceCases } from '../src/conformance/cases.js';
import { parseIdList } from '../src/conformance/expectations.js';
import { conformance } from '../src/cli/commands/conformance.js';

const DOC = readFileSync('docs/conformance.md', 'utf8');
const FILES = readdirSync('vectors').filter((name) => name.endsWith('.json')).sort().map((name) => join('vectors', name));
const RUN_IDS = new Set(FILES.flatMap((file) => conformanceCases(JSON.parse(readFileSync(file, 'utf8'))).map((c) => c.id)));

describe('docs/conformance.md', () => {
  it('has its builder tables in step with the vectors (node scripts/conformance-doc.mjs rewrites them)', () => {
    expect((updatedDoc as (text: string) => string)(DOC)).toBe(DOC);
  });

  it('has a table for every builder a vectors case calls, with its name in Java where the references name one', () => {
    const names = new Set<string>();
    const java = new Map<string, string>();
    for (const file of FILES) {
      const doc = JSON.parse(readFileSync(file, 'utf8')) as {
        token007?: Array<{ builder?: { name: string } | null }>;
        token006?: Array<{ builder?: { name: string } | null }>;
        builderImplementations?: Record<string, Record<string, Record<string, string>>>;
      };
      for (const c of [...(doc.token007 ?? []), ...(doc.token006 ?? [])]) if (c.builder) names.add(c.builder.name);
      for (const byName of Object.values(doc.builderImplementations ?? {})) {
        for (const [name, languages] of Object.entries(byName)) if (languages.java) java.set(name, languages.java);
      }
    }
    expect(names.size).toBeGreaterThanOrEqual(22);
    const tables = (builderTables as () => string)();
    for (const name of names) {
      expect(DOC, name).toContain(`### \`${name}\``);
      if (java.has(name)) expect(tables, name).toContain(`| Java (AgoraIO/Tools java) | \`${java.get(name)}\` |`);
    }
    // The two renamings a Java team tripped on.
    expect(tables).toContain('`io.agora.education.EducationTokenBuilder2.buildRoomUserToken`');
    expect(tables).toContain('`io.agora.media.RtcTokenBuilder.buildTokenWithUserAccount`');
    // Argument keys only the vectors JSON used to tell.
    for (const key of ['rtcRole', 'rtcAccount', 'joinChannelPrivilegeExpire', 'privilegeExpiredTs', 'rtmUserId']) expect(tables).toContain(`| \`${key}\` |`);
  });

  it('shows a known-failures example whose ids all exist', () => {
    const block = /```\n# known-failures\.txt[^\n]*\n([\s\S]*?)```/.exec(DOC)?.[1];
    expect(block).toBeDefined();
    const ids = parseIdList(block!, 'docs example');
    expect(ids.size).toBeGreaterThanOrEqual(3);
    for (const id of ids.keys()) expect(RUN_IDS, id).toContain(id);
  });

  it('documents every option of the command', () => {
    const options = [...new Set(conformance.usage.match(/--[a-z-]+/g))];
    expect(options).toEqual(expect.arrayContaining(['--known-failures', '--known-unsupported', '--verbose', '--junit', '--timeout', '--vectors']));
    for (const option of options) expect(DOC, option).toContain(`| \`${option}`);
  });
});

describe('request ids', () => {
  it('are stable: every id of 0.1.0 is still sent (test/fixtures/conformance-request-ids.txt)', () => {
    const pinned = parseIdList(readFileSync('test/fixtures/conformance-request-ids.txt', 'utf8'), 'fixture');
    expect(pinned.size).toBe(540);
    const missing = [...pinned.keys()].filter((id) => !RUN_IDS.has(id));
    expect(missing).toEqual([]);
  });

  it('the Java example pins only ids that exist', () => {
    const list = parseIdList(readFileSync('conformance/adapters/java/known-unsupported.txt', 'utf8'), 'java');
    expect([...list.keys()].sort()).toEqual(['chat-user-empty/builder', 'edge-006-rtm-role-0/builder', 'edge-rtc-uid-role-101/builder']);
    for (const id of list.keys()) expect(RUN_IDS).toContain(id);
  });
});

describe('an id list file', () => {
  it('takes comments, blank lines and surrounding spaces; keeps the comment as the reason', () => {
    const list = parseIdList('\uFEFF# header\n\n  a/builder   # why a\r\nb\n#c\n', 'f');
    expect([...list]).toEqual([
      ['a/builder', 'why a'],
      ['b', ''],
    ]);
  });

  it('refuses two ids on a line and an id listed twice, naming the line', () => {
    expect(() => parseIdList('a b\n', 'f.txt')).toThrow('f.txt line 1: one request id per line, got "a b"');
    expect(() => parseIdList('a\n\na # again\n', 'f.txt')).toThrow('f.txt line 3: a is listed twice');
  });
});
