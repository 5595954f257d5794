import assert from "node:assert/strict";
import { AttributeListError, parseByteRange, readAttributeList } from "../src/hls/attr_list.ts";

/** Reads the list after the first ":" of `line`, collecting notes. */
function read(line: string, substitute?: (text: string, start: number) => string) {
  const notes: string[] = [];
  const tag = line.slice(1, line.indexOf(":"));
  const attrs = readAttributeList(tag, line, line.indexOf(":") + 1, {
    note: (n) => notes.push(n),
    substitute,
  });
  return { attrs, notes };
}

/** Asserts that reading (or `get`) fails with `message`, naming 1-based `column`. */
function fails(f: () => unknown, message: RegExp, column: number | undefined) {
  assert.throws(f, (err: unknown) => {
    assert.ok(err instanceof AttributeListError, String(err));
    assert.equal(err.column, column);
    assert.match(err.message, message);
    if (column !== undefined) assert.ok(err.message.endsWith(`(column ${column})`), err.message);
    return true;
  });
}

Deno.test("every value type of RFC 8216 section 4.2, each with its span on the line", () => {
  const line = '#EXT-X-TEST:INT=1280000,HEX=0x1A2b,FLOAT=29.97,SIGNED=-4.5,Q="a, b=c",' +
    'ENUM=AUDIO,RES=1920x1080,BR="1000@20"';
  const { attrs, notes } = read(line);
  assert.equal(attrs.decimalInteger("INT"), 1280000);
  assert.equal(attrs.hexadecimal("HEX"), "0x1A2b");
  assert.equal(attrs.decimalFloat("FLOAT"), 29.97);
  assert.equal(attrs.signedDecimalFloat("SIGNED"), -4.5);
  assert.equal(attrs.quotedString("Q"), "a, b=c");
  assert.equal(attrs.enumeratedString("ENUM", ["AUDIO", "VIDEO"]), "AUDIO");
  assert.deepEqual(attrs.resolution("RES"), { width: 1920, height: 1080 });
  assert.deepEqual(attrs.byteRange("BR"), { length: 1000, offset: 20 });
  assert.equal(attrs.decimalInteger("ABSENT"), undefined);
  assert.deepEqual(attrs.all().map((a) => a.name), [
    "INT",
    "HEX",
    "FLOAT",
    "SIGNED",
    "Q",
    "ENUM",
    "RES",
    "BR",
  ]);
  // Each span, cut out of the line, is the value as written (inside the quotes).
  for (const a of attrs.all()) {
    assert.equal(line.slice(a.start, a.end), a.raw, a.name);
    const before = line.slice(0, a.start);
    assert.ok(before.endsWith(a.quoted ? `${a.name}="` : `${a.name}=`), a.name);
  }
  assert.equal(attrs.get("Q")!.quoted, true);
  assert.equal(attrs.get("INT")!.quoted, false);
  assert.deepEqual(notes, []);
});

Deno.test("tolerated: blanks around commas and '=', a trailing comma, trailing blanks", () => {
  const line = '#EXT-X-TEST: A=1 ,  B = "x"\t, C=YES,  \t';
  const { attrs } = read(line);
  assert.equal(attrs.decimalInteger("A"), 1);
  assert.equal(attrs.quotedString("B"), "x");
  assert.equal(attrs.flag("C"), true);
  assert.equal(line.slice(attrs.get("A")!.start, attrs.get("A")!.end), "1");
  assert.equal(line.slice(attrs.get("B")!.start, attrs.get("B")!.end), "x");
  // An empty list is a list without attributes.
  assert.deepEqual(read("#EXT-X-TEST:").attrs.all(), []);
  assert.deepEqual(read("#EXT-X-TEST:  ").attrs.all(), []);
});

Deno.test("tolerated with a note: quotes where bare is wanted and back, lower-case YES", () => {
  const { attrs, notes } = read(
    '#EXT-X-MEDIA:BANDWIDTH="1000",URI=a.m3u8,DEFAULT=yes,TYPE=audio,FRAME-RATE="25"',
  );
  assert.equal(attrs.decimalInteger("BANDWIDTH"), 1000);
  assert.equal(attrs.quotedString("URI"), "a.m3u8");
  assert.equal(attrs.flag("DEFAULT"), true);
  assert.equal(attrs.enumeratedString("TYPE", ["AUDIO", "VIDEO"]), "AUDIO");
  assert.equal(attrs.decimalFloat("FRAME-RATE"), 25);
  assert.deepEqual(notes, [
    "EXT-X-MEDIA BANDWIDTH should not be quoted",
    "EXT-X-MEDIA URI should be a quoted string",
    "EXT-X-MEDIA DEFAULT=yes should be upper case",
    "EXT-X-MEDIA TYPE=audio should be upper case",
    "EXT-X-MEDIA FRAME-RATE should not be quoted",
  ]);
});

Deno.test("decimal floating point: '.5', '25' and '25.' are numbers; signs only where signed", () => {
  const line = "#EXT-X-TEST:A=.5,B=25,C=25.,D=+3,E=-0.25";
  const { attrs } = read(line);
  assert.equal(attrs.decimalFloat("A"), 0.5);
  assert.equal(attrs.decimalFloat("B"), 25);
  assert.equal(attrs.decimalFloat("C"), 25);
  assert.equal(attrs.signedDecimalFloat("D"), 3);
  assert.equal(attrs.signedDecimalFloat("E"), -0.25);
  const column = line.indexOf("-0.25") + 1;
  fails(
    () => attrs.decimalFloat("E"),
    /EXT-X-TEST E must be a decimal number, not "-0.25"/,
    column,
  );
});

/** [what, line, message, 1-based column] */
const MALFORMED: [string, string, RegExp, number][] = [
  ["a name without =value", "#EXT-X-T:A=1,B,C=2", /attribute B has no "=value"/, 15],
  ["an unclosed quote", '#EXT-X-T:A="abc', /the quoted value of A is not closed/, 12],
  ["text after a closing quote", '#EXT-X-T:A="a"b', /expected "," after the value of A/, 15],
  ["a stray quote", '#EXT-X-T:A=a"b"', /stray quote in the value of A/, 13],
  ["an empty value", "#EXT-X-T:A=,B=1", /attribute A has an empty value/, 12],
  ["an attribute twice", "#EXT-X-T:A=1,A=2", /attribute A appears twice/, 16],
  ["no name", "#EXT-X-T:A=1,=2", /expected an attribute name, found "=2"/, 14],
  ["two commas", "#EXT-X-T:A=1,,B=2", /expected an attribute name, found ",B=2"/, 14],
];

for (const [what, line, message, column] of MALFORMED) {
  Deno.test(`a malformed list is an error naming the column: ${what}`, () => {
    fails(() => read(line), message, column);
  });
}

Deno.test("a value of the wrong type names its column; lenient reads note and skip it", () => {
  const line = "#EXT-X-STREAM-INF:BANDWIDTH=12k,RESOLUTION=1280*720,HDCP-LEVEL=TYPE-9,IV=0xZZ";
  const { attrs, notes } = read(line);
  const col = (name: string) => line.indexOf(`${name}=`) + name.length + 2;
  fails(
    () => attrs.decimalInteger("BANDWIDTH"),
    /EXT-X-STREAM-INF BANDWIDTH must be a decimal integer, not "12k"/,
    col("BANDWIDTH"),
  );
  fails(() => attrs.resolution("RESOLUTION"), /must be <width>x<height>/, col("RESOLUTION"));
  fails(
    () => attrs.enumeratedString("HDCP-LEVEL", ["TYPE-0", "TYPE-1", "NONE"]),
    /HDCP-LEVEL must be one of TYPE-0, TYPE-1, NONE, not "TYPE-9"/,
    col("HDCP-LEVEL"),
  );
  fails(() => attrs.hexadecimal("IV"), /IV must be a hexadecimal sequence/, col("IV"));
  assert.equal(attrs.decimalInteger("BANDWIDTH", { lenient: true }), undefined);
  assert.equal(attrs.resolution("RESOLUTION", { lenient: true }), undefined);
  assert.deepEqual(notes, [
    'EXT-X-STREAM-INF BANDWIDTH must be a decimal integer, not "12k"; ignored',
    'EXT-X-STREAM-INF RESOLUTION must be <width>x<height>, not "1280*720"; ignored',
  ]);
  fails(() => attrs.require("CODECS"), /^EXT-X-STREAM-INF has no CODECS attribute$/, undefined);
});

Deno.test("decimal integers beyond 2^53 are refused rather than rounded", () => {
  const line = "#EXT-X-T:A=9007199254740991,B=9007199254740993";
  const { attrs } = read(line);
  assert.equal(attrs.decimalInteger("A"), Number.MAX_SAFE_INTEGER);
  fails(() => attrs.decimalInteger("B"), /B must be a decimal integer/, line.indexOf("B=") + 3);
});

Deno.test("substitution applies to quoted strings and hexadecimal sequences only", () => {
  const calls: [string, number][] = [];
  const line = '#EXT-X-T:URI="{$h}/a",IV=0x{$iv},E={$e},N=1';
  const { attrs } = read(line, (text, start) => {
    calls.push([text, start]);
    return text.replace("{$h}", "H").replace("{$iv}", "00FF");
  });
  assert.deepEqual(calls, [["{$h}/a", line.indexOf("{$h}")], ["0x{$iv}", line.indexOf("0x")]]);
  assert.equal(attrs.quotedString("URI"), "H/a");
  assert.equal(attrs.get("URI")!.raw, "{$h}/a");
  assert.equal(attrs.hexadecimal("IV"), "0x00FF");
  assert.equal(attrs.get("E")!.value, "{$e}");
});

Deno.test("the fail option makes the error, so a caller can name its file and line", () => {
  assert.throws(
    () =>
      readAttributeList("EXT-X-MAP", '#EXT-X-MAP:URI="a', 11, {
        fail: (message, column) => new RangeError(`x.m3u8:7:${column}: ${message}`),
      }),
    /^RangeError: x\.m3u8:7:16: malformed attribute list of EXT-X-MAP: the quoted value/,
  );
});

Deno.test("parseByteRange reads <n>[@<o>] and says what is wrong otherwise", () => {
  assert.deepEqual(parseByteRange("1000@20", "R"), { length: 1000, offset: 20 });
  assert.deepEqual(parseByteRange(" 1000 ", "R"), { length: 1000 });
  assert.equal(
    parseByteRange("@20", "R"),
    'R must be <length>[@<offset>] with a length, not "@20"',
  );
  assert.equal(
    parseByteRange("100@", "R"),
    'R must be <length>[@<offset>] with a length, not "100@"',
  );
  assert.equal(parseByteRange("0@5", "R"), 'R "0@5" has a length of 0');
  assert.equal(
    parseByteRange("99999999999999999999", "R"),
    'R "99999999999999999999" is too large',
  );
  assert.deepEqual(read('#EXT-X-MAP:BYTERANGE="720"').attrs.byteRange("BYTERANGE"), {
    length: 720,
  });
  fails(
    () => read('#EXT-X-MAP:URI="a",BYTERANGE="x"').attrs.byteRange("BYTERANGE"),
    /EXT-X-MAP BYTERANGE must be <length>\[@<offset>\] with a length, not "x"/,
    31,
  );
});
