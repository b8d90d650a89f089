// Validates rendered Kubernetes manifests offline, unknown fields included (K8sManifestsTest runs
// it on `kubectl kustomize` of every overlay):
//   node validate.mjs FILE.yaml...
// Every object of every file is checked twice with the models of one package per API group
// (kubernetes-models for the built-in kinds, @kubernetes-models/keda, @kubernetes-models/
// prometheus-operator for the custom resources):
//   1. the model's validate(): the JSON schema of its kind (types, required fields, enums, formats);
//   2. `tsc --strict` on the object as a literal typed with the model's interface: an excess
//      property check at every depth, so a field the schema does not know (a misspelt `replicaz`)
//      fails, which validate() lets through.
// A kind without a model is an error. Prints one JSON line:
//   {"ok": bool, "objects": N, "errors": [{"file", "index", "kind", "name", "check", "error"}]}
// and exits 0 when ok, 1 when not, 2 on bad usage.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { parseAllDocuments } from "yaml";

const here = path.dirname(fileURLToPath(import.meta.url));

// API groups served by a package other than kubernetes-models.
const CUSTOM_GROUPS = {
  "keda.sh": "@kubernetes-models/keda",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};

function modulePath(apiVersion, kind) {
  const slash = apiVersion.indexOf("/");
  if (slash < 0) {
    return `kubernetes-models/${apiVersion}/${kind}`;
  }
  const group = apiVersion.slice(0, slash);
  const pkg = CUSTOM_GROUPS[group] ?? "kubernetes-models";
  return `${pkg}/${apiVersion}/${kind}`;
}

function readObjects(files) {
  const objects = [];
  for (const file of files) {
    const docs = parseAllDocuments(fs.readFileSync(file, "utf8"));
    docs.forEach((doc, index) => {
      if (doc.errors.length > 0) {
        throw new Error(`${file} document ${index}: ${doc.errors[0].message}`);
      }
      const data = doc.toJS();
      if (data !== null && data !== undefined) {
        objects.push({ file, index, data });
      }
    });
  }
  return objects;
}

function describe(o) {
  return {
    file: o.file,
    index: o.index,
    kind: `${o.data?.apiVersion}/${o.data?.kind}`,
    name: o.data?.metadata?.name ?? "",
  };
}

async function schemaCheck(objects, errors) {
  const typed = [];
  for (const o of objects) {
    const { apiVersion, kind } = o.data;
    if (typeof apiVersion !== "string" || typeof kind !== "string") {
      errors.push({ ...describe(o), check: "schema", error: "no apiVersion or kind" });
      continue;
    }
    const module = modulePath(apiVersion, kind);
    let Model;
    try {
      Model = (await import(module))[kind];
    } catch (e) {
      Model = undefined;
    }
    if (typeof Model !== "function") {
      errors.push({ ...describe(o), check: "schema", error: `no model for ${apiVersion} ${kind}` });
      continue;
    }
    try {
      new Model(o.data).validate();
    } catch (e) {
      errors.push({ ...describe(o), check: "schema", error: e.message });
    }
    typed.push({ ...o, module, kind });
  }
  return typed;
}

function typeCheck(typed, errors) {
  if (typed.length === 0) {
    return;
  }
  const dir = fs.mkdtempSync(path.join(here, ".check-"));
  try {
    const file = path.join(dir, "objects.mts");
    const lines = typed.map((o, i) => `import type { I${o.kind} as T${i} } from "${o.module}";`);
    // the first line of each object's literal
    const starts = [];
    typed.forEach((o, i) => {
      starts.push(lines.length);
      const literal = `export const o${i}: T${i} = ${JSON.stringify(o.data, null, 2)};`;
      lines.push(...literal.split("\n"));
    });
    fs.writeFileSync(file, lines.join("\n") + "\n");
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: [],
    });
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      if (!d.file || path.resolve(d.file.fileName) !== path.resolve(file)) {
        errors.push({ file: "", index: -1, kind: "", name: "", check: "types", error: message });
        continue;
      }
      const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
      let i = starts.length - 1;
      while (i > 0 && starts[i] > line) {
        i--;
      }
      const at = line < starts[0] ? "import" : `line ${line - starts[i] + 1} of the object`;
      errors.push({ ...describe(typed[i]), check: "types", error: `${at}: ${message}` });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node validate.mjs FILE.yaml...");
    process.exit(2);
  }
  const objects = readObjects(files);
  const errors = [];
  const typed = await schemaCheck(objects, errors);
  typeCheck(typed, errors);
  const ok = errors.length === 0 && objects.length > 0;
  console.log(JSON.stringify({ ok, objects: objects.length, errors }));
  process.exit(ok ? 0 : 1);
}

await main(process.argv.slice(2));
