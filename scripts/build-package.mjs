#!/usr/bin/env node
// Builds the package in the current directory twice with the TypeScript
// compiler, no bundler:
//
//   tsconfig.build.json -> dist/      ESM (the package is "type": "module")
//   tsconfig.cjs.json   -> dist/cjs/  CommonJS, with dist/cjs/package.json
//                                     {"type": "commonjs"} so Node and
//                                     TypeScript read dist/cjs/*.js and *.d.ts
//                                     as CommonJS
//
// The CommonJS pass compiles the same sources with `module: NodeNext`, as if
// the package were "type": "commonjs" (the compiler host answers the
// package's own package.json with that type), so imports of other packages
// resolve through their `require` conditions and the output is exactly what
// Node's CommonJS loader runs. `import.meta.url` has no CommonJS spelling; it
// is rewritten to the file URL of `__filename`, and any other `import.meta`
// use fails the build. A package without tsconfig.cjs.json is built ESM-only.
//
// Usage (from a package's directory): node ../../scripts/build-package.mjs
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { expandIncludeCode } from './include-code.mjs';

const packageDir = process.cwd();
// The compiler spells paths with `/` (and may case a Windows drive letter differently).
const samePath = (a, b) =>
  process.platform === 'win32'
    ? resolve(a).toLowerCase() === resolve(b).toLowerCase()
    : resolve(a) === resolve(b);
const packageJsonPath = resolve(packageDir, 'package.json');

rmSync(resolve(packageDir, 'dist'), { recursive: true, force: true });

let ok = build('tsconfig.build.json', 'esm');
if (ok && existsSync(resolve(packageDir, 'tsconfig.cjs.json'))) {
  ok = build('tsconfig.cjs.json', 'cjs');
}
process.exitCode = ok ? 0 : 1;

/**
 * Compiles one tsconfig; reports diagnostics like tsc. Returns success.
 * @param {string} configName
 * @param {'esm' | 'cjs'} format
 */
function build(configName, format) {
  const config = ts.getParsedCommandLineOfConfigFile(
    resolve(packageDir, configName),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => report([d]) },
  );
  if (!config) return false;
  if (config.errors.length > 0) {
    report(config.errors);
    return false;
  }
  const { options, fileNames } = config;
  const host = ts.createCompilerHost(options);
  if (format === 'cjs') {
    const readFile = host.readFile.bind(host);
    host.readFile = (fileName) => {
      const text = readFile(fileName);
      if (text === undefined || !samePath(fileName, packageJsonPath)) return text;
      return JSON.stringify({ ...JSON.parse(text), type: 'commonjs' });
    };
  }
  const program = ts.createProgram({ rootNames: fileNames, options, host });
  if (format === 'cjs') {
    if (!options.outDir) {
      process.stderr.write(`${configName}: set compilerOptions.outDir (e.g. dist/cjs)\n`);
      return false;
    }
    // Guard against a compiler that no longer asks the host for the package's type.
    const esm = fileNames.filter(
      (f) => program.getSourceFile(f)?.impliedNodeFormat !== ts.ModuleKind.CommonJS,
    );
    if (esm.length > 0) {
      process.stderr.write(`${configName}: not compiled as CommonJS: ${esm.join(', ')}\n`);
      return false;
    }
  }
  const shimmed = new Set();
  const transformers = format === 'cjs' ? { before: [importMetaUrl(shimmed)] } : undefined;
  const emitted = program.emit(undefined, undefined, undefined, false, transformers);
  const diagnostics = ts
    .sortAndDeduplicateDiagnostics([...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics])
    .filter((d) => !(d.file && shimmed.has(`${d.file.fileName}:${d.start}`)));
  report(diagnostics);
  if (diagnostics.some((d) => d.category === ts.DiagnosticCategory.Error) || emitted.emitSkipped) {
    return false;
  }
  if (format === 'cjs') {
    writeFileSync(resolve(options.outDir, 'package.json'), '{ "type": "commonjs" }\n');
  }
  // Examples pulled into TSDoc with {@includeCode}: written out in the declarations, for hovers.
  const problems = options.outDir ? expandIncludeCode(options.outDir) : [];
  for (const problem of problems) process.stderr.write(`${configName}: ${problem}\n`);
  return problems.length === 0;
}

/**
 * A `before` transformer for CommonJS output: `import.meta.url` becomes
 * `require("node:url").pathToFileURL(__filename).href`. Records where it did
 * so, to drop the compiler's "import.meta is not allowed in CommonJS" errors
 * for exactly those places.
 * @param {Set<string>} shimmed
 * @returns {ts.TransformerFactory<ts.SourceFile>}
 */
function importMetaUrl(shimmed) {
  return (context) => {
    const f = context.factory;
    return (sourceFile) => {
      /** @param {ts.Node} node @returns {ts.Node} */
      const visit = (node) => {
        if (
          ts.isPropertyAccessExpression(node) &&
          ts.isMetaProperty(node.expression) &&
          node.expression.keywordToken === ts.SyntaxKind.ImportKeyword &&
          node.name.text === 'url'
        ) {
          shimmed.add(`${sourceFile.fileName}:${node.expression.getStart(sourceFile)}`);
          const requireUrl = f.createCallExpression(f.createIdentifier('require'), undefined, [
            f.createStringLiteral('node:url'),
          ]);
          const fileUrl = f.createCallExpression(
            f.createPropertyAccessExpression(requireUrl, 'pathToFileURL'),
            undefined,
            [f.createIdentifier('__filename')],
          );
          return f.createPropertyAccessExpression(fileUrl, 'href');
        }
        return ts.visitEachChild(node, visit, context);
      };
      return ts.visitNode(sourceFile, visit);
    };
  };
}

/** @param {readonly ts.Diagnostic[]} diagnostics */
function report(diagnostics) {
  if (diagnostics.length === 0) return;
  const formatHost = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => packageDir,
    getNewLine: () => ts.sys.newLine,
  };
  const format = process.stdout.isTTY
    ? ts.formatDiagnosticsWithColorAndContext
    : ts.formatDiagnostics;
  process.stderr.write(format(diagnostics, formatHost));
}
