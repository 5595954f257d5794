/**
 * The XML scanner (`src/dash/xml_spans.ts`) and the in-place editor (`src/dash/xml_edit.ts`):
 * positions that match the parser's tree, and edits that keep every byte nobody edited.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseXml, type XmlElement } from "../src/dash/xml.ts";
import { locateElements, maskNonMarkup, scanElements } from "../src/dash/xml_spans.ts";
import { escapeAttr, XmlEditor } from "../src/dash/xml_edit.ts";
import { FIXTURES, listFiles } from "./cli_helpers.ts";

/** A document with everything that trips a naive scanner. */
const TRICKY = [
  `<?xml version="1.0" encoding="UTF-8"?>`,
  `<!DOCTYPE MPD [ <!-- <Period> in the DOCTYPE --> ]>`,
  `<?xml-stylesheet href="a.xsl?x=<y>"?>`,
  `<!-- a comment with <BaseURL>fake</BaseURL> and a > -->`,
  `<mpd:MPD xmlns:mpd="urn:mpeg:dash:schema:mpd:2011" xmlns:x='urn:x' type='static'`,
  `    title="a > b &amp; c &#x41;&#66;" x:note='say "hi"' >`,
  `  <mpd:BaseURL >http://cdn.example/a?x=1&amp;y=2</mpd:BaseURL >`,
  `  <mpd:Period id = "p0" start="PT0S">`,
  `    <![CDATA[ <AdaptationSet id="fake"/> ]]>`,
  `    <mpd:AdaptationSet mimeType="video/mp4"><mpd:Representation id="v1" bandwidth="1"/>`,
  `      <mpd:Representation id="v2"\tbandwidth='2'><mpd:BaseURL/></mpd:Representation>`,
  `    </mpd:AdaptationSet>`,
  `  </mpd:Period>`,
  `</mpd:MPD>`,
  ``,
].join("\r\n");

/** Every element of a tree, in document order. */
function elements(root: XmlElement): XmlElement[] {
  return [root, ...root.children.flatMap(elements)];
}

Deno.test("scan: spans match the parsed tree; names, prefixes and decoded values as the parser has them", () => {
  const root = parseXml(TRICKY);
  const spans = locateElements(TRICKY, root);
  const all = elements(root);
  assert.equal(spans.size, all.length);
  assert.deepEqual(all.map((e) => e.name), [
    "MPD",
    "BaseURL",
    "Period",
    "AdaptationSet",
    "Representation",
    "Representation",
    "BaseURL",
  ]);
  for (const el of all) {
    const s = spans.get(el)!;
    assert.equal(s.local, el.name);
    assert.equal(s.prefix, "mpd");
    assert.ok(TRICKY.slice(s.start).startsWith(`<${s.name}`), s.name);
    // Attributes (namespace declarations aside) decode to what the parser says.
    const attrs = Object.fromEntries(
      s.attrs.filter((a) => !a.name.startsWith("xmlns")).map((a) => [a.local, a.value]),
    );
    assert.deepEqual(attrs, el.attrs, s.name);
  }
  const mpd = spans.get(root)!;
  const title = mpd.attrs.find((a) => a.local === "title")!;
  assert.equal(TRICKY.slice(title.valueStart, title.valueEnd), "a > b &amp; c &#x41;&#66;");
  assert.equal(title.value, "a > b & c AB");
  assert.equal(mpd.attrs.find((a) => a.local === "note")!.quote, "'");
  const base = spans.get(root.children[0])!;
  assert.equal(TRICKY.slice(base.openEnd, base.closeStart), "http://cdn.example/a?x=1&amp;y=2");
  assert.ok(spans.get(root.children[1].children[0].children[1].children[0])!.selfClosing);
});

Deno.test("scan: comments, CDATA, processing instructions and the DOCTYPE are masked, offsets kept", () => {
  const masked = maskNonMarkup(TRICKY);
  assert.equal(masked.length, TRICKY.length);
  assert.ok(!masked.includes("fake"));
  assert.equal(masked.split("\r\n").length, TRICKY.split("\r\n").length);
  assert.equal(scanElements(TRICKY).children[1].children.length, 1, "the CDATA holds no element");
});

Deno.test("scan: a tree of another text is refused, naming the disagreement", () => {
  const other = parseXml(`<MPD><Period/><Period/></MPD>`);
  assert.throws(() => locateElements(`<MPD><Period/></MPD>`, other), /has 1 child elements/);
  const renamed = parseXml(`<MPD><Location/></MPD>`);
  assert.throws(() => locateElements(`<MPD><Period/></MPD>`, renamed), /found <Period>/);
});

Deno.test("edit: no edit gives back every byte, for every DASH fixture and a tricky document", async () => {
  const texts = [TRICKY];
  for (const f of await listFiles(FIXTURES)) {
    if (f.endsWith(".mpd")) texts.push(await Deno.readTextFile(join(FIXTURES, f)));
  }
  assert.ok(texts.length >= 9);
  for (const text of texts) {
    const edit = new XmlEditor(text, parseXml(text));
    assert.equal(edit.changed, false);
    assert.equal(edit.apply(), text);
  }
});

Deno.test("edit: set, add and remove attributes keep the quoting, the rest and the line endings", () => {
  const root = parseXml(TRICKY);
  const edit = new XmlEditor(TRICKY, root);
  edit.setAttr(root, "type", "dyn'amic"); // single-quoted: the quote is escaped
  edit.setAttr(root, "title", 'x "y" <z>'); // double-quoted
  edit.setAttr(root, "mediaPresentationDuration", "PT6S"); // added
  edit.removeAttr(root, "note"); // prefixed x:note, by local name
  edit.removeAttr(root, "absent");
  const rep = root.children[1].children[0].children[1];
  edit.setAttr(rep, "bandwidth", 20); // tab before it, single quotes
  const out = edit.apply();
  assert.equal(
    out,
    TRICKY
      .replace(`type='static'`, `type='dyn&apos;amic'`)
      .replace(`"a > b &amp; c &#x41;&#66;"`, `"x &quot;y&quot; &lt;z&gt;"`)
      .replace(` x:note='say "hi"'`, ` mediaPresentationDuration="PT6S"`)
      .replace(`bandwidth='2'`, `bandwidth='20'`),
  );
  const again = parseXml(out);
  assert.equal(again.attrs.type, "dyn'amic");
  assert.equal(again.attrs.title, 'x "y" <z>');
  assert.equal(again.attrs.note, undefined);
  assert.equal(again.children[1].children[0].children[1].attrs.bandwidth, "20");
});

Deno.test("edit: text of an element, self-closing or not, with prefixes kept", () => {
  const root = parseXml(TRICKY);
  const edit = new XmlEditor(TRICKY, root);
  edit.setText(root.children[0], "../a&b/");
  const selfClosing = root.children[1].children[0].children[1].children[0];
  edit.setText(selfClosing, "v2/");
  const out = edit.apply();
  assert.ok(out.includes("<mpd:BaseURL >../a&amp;b/</mpd:BaseURL >"), out);
  assert.ok(out.includes("<mpd:BaseURL>v2/</mpd:BaseURL></mpd:Representation>"), out);
  const again = parseXml(out);
  assert.equal(again.children[0].text, "../a&b/");
  assert.equal(again.children[1].children[0].children[1].children[0].text, "v2/");
  assert.equal(out.replace(/\r\n/g, "").length + (out.split("\r\n").length - 1) * 2, out.length);
});

Deno.test("edit: insert into a self-closing element, at start, end, before and after, indented with CRLF", () => {
  const root = parseXml(TRICKY);
  const edit = new XmlEditor(TRICKY, root);
  const set = root.children[1].children[0];
  const [v1, v2] = set.children;
  edit.insert(v1, {
    name: "SegmentList",
    attrs: [["duration", 2], ["timescale", 1]],
    children: [
      { name: "Initialization", attrs: [["sourceURL", "i.mp4"]] },
      { name: "SegmentURL", attrs: [["media", "a&1.m4s"]] },
    ],
  });
  edit.insert(set, { name: "Representation", attrs: [["id", "v3"]] }, { after: v2 });
  edit.insert(set, { name: "Representation", attrs: [["id", "v0"]] }, { at: "start" });
  edit.insert(root.children[1], { name: "BaseURL", text: "p/" }, { before: set });
  const out = edit.apply();
  const again = parseXml(out);
  const list = again.children[1].children[1].children[1].children[0];
  assert.equal(list.name, "SegmentList");
  assert.deepEqual(list.children.map((c) => c.attrs), [{ sourceURL: "i.mp4" }, {
    media: "a&1.m4s",
  }]);
  assert.deepEqual(
    again.children[1].children[1].children.map((r) => r.attrs.id),
    ["v0", "v1", "v2", "v3"],
  );
  assert.equal(again.children[1].children[0].text, "p/");
  // Every new line carries the document's CRLF and the prefix of where it went.
  assert.ok(!/[^\r]\n/.test(out), "only CRLF line endings");
  assert.ok(out.includes(`    <mpd:BaseURL>p/</mpd:BaseURL>\r\n    <mpd:AdaptationSet`), out);
  assert.ok(out.includes(`<mpd:SegmentList duration="2" timescale="1">`), out);
  assert.ok(out.includes(`<mpd:SegmentURL media="a&amp;1.m4s"/>`), out);
});

Deno.test("edit: an inserted block is indented like its siblings (tabs, LF)", () => {
  const text = '<MPD>\n\t<Period>\n\t\t<AdaptationSet>\n\t\t\t<Representation id="a"/>\n' +
    "\t\t</AdaptationSet>\n\t</Period>\n</MPD>\n";
  const root = parseXml(text);
  const edit = new XmlEditor(text, root);
  const rep = root.children[0].children[0].children[0];
  edit.insert(rep, {
    name: "SegmentTemplate",
    attrs: [["media", "$Number$.m4s"]],
    children: [{ name: "SegmentTimeline", children: [{ name: "S", attrs: [["d", 2]] }] }],
  });
  assert.equal(
    edit.apply(),
    '<MPD>\n\t<Period>\n\t\t<AdaptationSet>\n\t\t\t<Representation id="a">\n' +
      '\t\t\t\t<SegmentTemplate media="$Number$.m4s">\n' +
      '\t\t\t\t\t<SegmentTimeline>\n\t\t\t\t\t\t<S d="2"/>\n\t\t\t\t\t</SegmentTimeline>\n' +
      "\t\t\t\t</SegmentTemplate>\n\t\t\t</Representation>\n" +
      "\t\t</AdaptationSet>\n\t</Period>\n</MPD>\n",
  );
});

Deno.test("edit: a one-line document stays on one line", () => {
  const text =
    `<MPD><Period><AdaptationSet><Representation id="a"/></AdaptationSet></Period></MPD>`;
  const root = parseXml(text);
  const edit = new XmlEditor(text, root);
  edit.insert(root.children[0].children[0].children[0], {
    name: "SegmentList",
    children: [{ name: "SegmentURL", attrs: [["media", "1.m4s"]] }],
  });
  assert.equal(
    edit.apply(),
    `<MPD><Period><AdaptationSet><Representation id="a"><SegmentList>` +
      `<SegmentURL media="1.m4s"/></SegmentList></Representation></AdaptationSet></Period></MPD>`,
  );
});

Deno.test("edit: remove takes the element's line; edits inside a removed or replaced element go with it", () => {
  const root = parseXml(TRICKY);
  const edit = new XmlEditor(TRICKY, root);
  const set = root.children[1].children[0];
  edit.setAttr(set.children[1], "id", "never");
  edit.remove(set.children[1]); // on its own line: the line goes
  edit.setText(root.children[0], "kept/");
  const out = edit.apply();
  assert.ok(!out.includes("v2"), out);
  assert.ok(!out.includes("never"));
  assert.ok(out.includes(`bandwidth="1"/>\r\n    </mpd:AdaptationSet>`), out);
  assert.equal(parseXml(out).children[1].children[0].children.length, 1);

  const inline = new XmlEditor(TRICKY, root);
  inline.remove(set.children[0]); // shares its line with the AdaptationSet's start tag
  inline.replace(root.children[0], { raw: "<mpd:Location>m.mpd</mpd:Location>" });
  const out2 = inline.apply();
  assert.ok(
    out2.includes(`<mpd:AdaptationSet mimeType="video/mp4">\r\n      <mpd:Representation id="v2"`),
  );
  assert.ok(out2.includes(`  <mpd:Location>m.mpd</mpd:Location>\r\n  <mpd:Period`), out2);
  assert.throws(() => inline.remove(root), /root element/);
});

Deno.test("edit: copied markup is re-indented to its new place", () => {
  const text = '<MPD>\n  <Period>\n    <SegmentTemplate media="a">\n      <SegmentTimeline>\n' +
    '        <S d="1"/>\n      </SegmentTimeline>\n    </SegmentTemplate>\n' +
    '    <AdaptationSet>\n      <Representation id="r">\n      </Representation>\n' +
    "    </AdaptationSet>\n  </Period>\n</MPD>\n";
  const root = parseXml(text);
  const edit = new XmlEditor(text, root);
  const [template, set] = root.children[0].children;
  edit.insert(set.children[0], edit.source(template.children[0]));
  const out = edit.apply();
  assert.ok(
    out.includes(
      '      <Representation id="r">\n        <SegmentTimeline>\n          <S d="1"/>\n' +
        "        </SegmentTimeline>\n      </Representation>",
    ),
    out,
  );
});

Deno.test("escapeAttr escapes for either quote", () => {
  assert.equal(escapeAttr(`a"b'c&<>\n`), "a&quot;b'c&amp;&lt;&gt;&#10;");
  assert.equal(escapeAttr(`a"b'c`, "'"), `a"b&apos;c`);
});
