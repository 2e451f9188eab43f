// Renders artifacts/reliability/*.json (written by the reliability tests' ReliabilityFigures) into
// the table between the figures markers of docs/reliability.md. Usage: node reliability-report.mjs DIR DOC
import { readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const [dir, doc] = process.argv.slice(2);
const start = "<!-- figures:start -->";
const end = "<!-- figures:end -->";
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")).sort() : [];
if (files.length === 0) {
  console.error(`reliability-report: no figures in ${dir}; run tests/reliability.sh first`);
  process.exit(1);
}

const escape = (s) => String(s).replaceAll("|", "\\|").replaceAll("\n", " ");
const format = (v) => (typeof v === "number" && !Number.isInteger(v) ? v.toFixed(v < 10 ? 2 : 1) : v);
const rows = files.map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")));
const lines = [
  "| suite | what it proves | form | figures | run at |",
  "|---|---|---|---|---|",
  ...rows.map((r) => {
    const figures = Object.entries(r.figures).map(([k, v]) => `${k}: ${format(v)}`).join("; ");
    return `| ${escape(r.suite)} | ${escape(r.proves)} | ${r.mode} | ${escape(figures)} | ${r.at} |`;
  }),
  "",
  `Machine: ${rows[0].machine}.`,
];

const text = readFileSync(doc, "utf8");
const from = text.indexOf(start);
const to = text.indexOf(end);
if (from < 0 || to < from) {
  console.error(`reliability-report: ${doc} has no ${start} … ${end} section`);
  process.exit(1);
}

writeFileSync(doc, text.slice(0, from + start.length) + "\n" + lines.join("\n") + "\n" + text.slice(to));
console.log(`reliability-report: ${rows.length} suites written to ${doc}`);
