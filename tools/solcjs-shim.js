#!/usr/bin/env node
// Presents the npm `solc` (solcjs) package with the command-line surface that
// py-solc-x and Brownie expect of a native `solc-v<version>` binary, because no
// native solc can be installed from the package registries these machines reach.
"use strict";
const fs = require("fs");
const path = require("path");

const projectRoot = path.resolve(__dirname, "..");
const solc = require(path.join(projectRoot, "node_modules", "solc"));

function parseArgs(argv) {
  const opts = { mode: null, combined: null, basePath: null, includePaths: [], allowPaths: [], files: [], remappings: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const takeValue = () => (arg.includes("=") ? arg.split("=").slice(1).join("=") : argv[++i]);
    if (arg === "--version") opts.mode = "version";
    else if (arg === "--standard-json") opts.mode = "standard";
    else if (arg.startsWith("--combined-json")) { opts.mode = "combined"; opts.combined = takeValue(); }
    else if (arg.startsWith("--base-path")) opts.basePath = takeValue();
    else if (arg.startsWith("--include-path")) opts.includePaths.push(takeValue());
    else if (arg.startsWith("--allow-paths")) opts.allowPaths.push(...takeValue().split(","));
    else if (arg.startsWith("--")) { /* flags solcjs has no use for (e.g. --optimize) */ }
    else if (arg.includes("=") && !arg.startsWith("-")) opts.remappings.push(arg);
    else if (arg !== "-") opts.files.push(arg);
  }
  return opts;
}

function importResolver(opts) {
  const roots = [opts.basePath, ...opts.includePaths, ...opts.allowPaths, process.cwd(), projectRoot].filter(Boolean);
  return (importPath) => {
    const candidates = path.isAbsolute(importPath) ? [importPath] : roots.map((root) => path.resolve(root, importPath));
    for (const candidate of candidates) {
      if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
        return { contents: fs.readFileSync(candidate, "utf8") };
      }
    }
    return { error: `File not found: ${importPath} (searched ${roots.join(", ")})` };
  };
}

function readStdin() {
  try { return fs.readFileSync(0, "utf8"); } catch (err) { return ""; }
}

// Write everything and only then exit: an early process.exit truncates large outputs.
function finish(text, code = 0) {
  process.stdout.write(text, () => process.exit(code));
}

// The legacy --combined-json surface (Brownie's interface ABIs, Slither's solc mode),
// built from one standard-json compilation.
const COMBINED_FIELDS = {
  abi: ["abi", (c) => c.abi],
  bin: ["evm.bytecode.object", (c) => c.evm.bytecode.object],
  "bin-runtime": ["evm.deployedBytecode.object", (c) => c.evm.deployedBytecode.object],
  srcmap: ["evm.bytecode.sourceMap", (c) => c.evm.bytecode.sourceMap],
  "srcmap-runtime": ["evm.deployedBytecode.sourceMap", (c) => c.evm.deployedBytecode.sourceMap],
  userdoc: ["userdoc", (c) => c.userdoc],
  devdoc: ["devdoc", (c) => c.devdoc],
  hashes: ["evm.methodIdentifiers", (c) => c.evm.methodIdentifiers],
};

function combinedJson(opts) {
  const sources = {};
  for (const file of opts.files) sources[file] = { content: fs.readFileSync(file, "utf8") };
  const wanted = opts.combined.split(",").filter((field) => field in COMBINED_FIELDS);
  const wantAst = opts.combined.split(",").includes("ast");
  const input = {
    language: "Solidity",
    sources,
    settings: {
      remappings: opts.remappings,
      outputSelection: { "*": { "*": wanted.map((field) => COMBINED_FIELDS[field][0]), "": wantAst ? ["ast"] : [] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: importResolver(opts) }));
  const errors = (output.errors || []).filter((e) => e.severity === "error");
  if (errors.length) {
    process.stderr.write(errors.map((e) => e.formattedMessage).join("\n"));
    process.exit(1);
  }
  const contracts = {};
  for (const [file, byName] of Object.entries(output.contracts || {})) {
    for (const [name, c] of Object.entries(byName)) {
      const entry = {};
      for (const field of wanted) entry[field] = COMBINED_FIELDS[field][1](c);
      contracts[`${file}:${name}`] = entry;
    }
  }
  const result = { contracts, version: solc.version() };
  if (wantAst) {
    result.sourceList = Object.keys(output.sources || {});
    result.sources = {};
    for (const [file, info] of Object.entries(output.sources || {})) result.sources[file] = { AST: info.ast };
  }
  return JSON.stringify(result);
}

const opts = parseArgs(process.argv.slice(2));
if (opts.mode === "version") {
  finish(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
} else if (opts.mode === "standard") {
  finish(solc.compile(readStdin(), { import: importResolver(opts) }));
} else if (opts.mode === "combined") {
  finish(combinedJson(opts));
} else {
  process.stderr.write("solcjs-shim: supported modes are --version, --standard-json and --combined-json\n");
  process.exit(2);
}
