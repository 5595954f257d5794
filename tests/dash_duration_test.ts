import assert from "node:assert/strict";
import { parseDuration } from "../src/dash/duration.ts";

Deno.test("parseDuration reads every xs:duration form", () => {
  const cases: [string, number][] = [
    ["PT6.0S", 6],
    ["PT0S", 0],
    ["PT1M30.5S", 90.5],
    ["PT1H", 3600],
    ["PT2H3M4S", 7384],
    ["P1D", 86400],
    ["P1DT1S", 86401],
    ["P2W", 14 * 86400],
    ["P1Y", 365 * 86400],
    ["P1M", 30 * 86400],
    ["P1Y2M3DT4H5M6.25S", 365 * 86400 + 60 * 86400 + 3 * 86400 + 4 * 3600 + 5 * 60 + 6.25],
    ["PT0,5S", 0.5],
    ["PT1.5M", 90],
    ["PT0.000001S", 0.000001],
    [" PT3S ", 3],
    ["-PT3S", -3],
  ];
  for (const [text, seconds] of cases) {
    const got = parseDuration(text);
    assert.ok(got !== undefined, text);
    assert.ok(Math.abs(got - seconds) < 1e-9, `${text}: ${got} != ${seconds}`);
  }
});

Deno.test("parseDuration rejects what is not a duration", () => {
  for (const bad of ["", "P", "PT", "6", "PT6", "T6S", "P1H", "PT1.5H30M", "PTS", "P1S", "PT-3S"]) {
    assert.equal(parseDuration(bad), undefined, bad);
  }
});
