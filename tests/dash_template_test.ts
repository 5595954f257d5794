import assert from "node:assert/strict";
import { checkTemplate, fillTemplate } from "../src/dash/template.ts";

const values = { representationId: "v1", number: 7, time: 123456, bandwidth: 800000, subNumber: 2 };

Deno.test("fillTemplate substitutes every identifier", () => {
  assert.equal(
    fillTemplate("$RepresentationID$/$Number$-$Time$-$Bandwidth$-$SubNumber$.m4s", values),
    "v1/7-123456-800000-2.m4s",
  );
  assert.equal(fillTemplate("price$$$Number$.m4s", values), "price$7.m4s");
  assert.equal(fillTemplate("plain.m4s", values), "plain.m4s");
});

Deno.test("fillTemplate applies printf widths", () => {
  assert.equal(fillTemplate("chunk-$Number%05d$.m4s", values), "chunk-00007.m4s");
  assert.equal(fillTemplate("$Time%012d$", values), "000000123456");
  assert.equal(fillTemplate("$Number%d$", values), "7");
  assert.equal(fillTemplate("$Number%2d$", { number: 123 }), "123");
  assert.equal(fillTemplate("$Bandwidth%08x$", values), "000c3500");
  assert.equal(fillTemplate("$Number%03X$", { number: 255 }), "0FF");
});

Deno.test("checkTemplate names what is wrong", () => {
  assert.equal(checkTemplate("seg-$Number%05d$.m4s"), undefined);
  assert.match(checkTemplate("seg-$Number.m4s")!, /unbalanced/);
  assert.match(checkTemplate("seg-$Foo$.m4s")!, /unknown identifier \$Foo\$/);
  assert.match(checkTemplate("$RepresentationID%05d$")!, /no format tag/);
  assert.match(checkTemplate("$Number%5s$")!, /bad format tag/);
});

Deno.test("fillTemplate refuses an identifier without a value", () => {
  assert.throws(() => fillTemplate("init-$Number$.m4s", { representationId: "a" }), /\$Number\$/);
});
