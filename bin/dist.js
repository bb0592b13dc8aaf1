'use strict';
/*
 * The compiled copy of the TypeScript sources that bin/firebreak.js runs, in the git-ignored dist/ (one .js per .ts,
 * same tree), so a command pays neither tsx's loader nor a compile at each start. `npm install` builds it (prepare);
 * a start that finds it stale rebuilds it first. Fresh means: every source file and folder has the modification
 * time the stamp recorded, and no folder gained or lost a file.
 *
 * Asset paths: the sources find their files beside themselves (`__dirname`), so each compiled module starts with
 * `var __dirname = <its source folder>`, redeclaring the module wrapper's parameter.
 */
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const stampFile = path.join(dist, 'stamp.json');
// Build scratch and the rebuild lock live outside the source tree, so building never changes what it checks.
const scratch = path.join(root, 'node_modules', '.cache', 'firebreak-dist');
// Not needed at run time, or not ours.
const skipped = new Set(['node_modules', 'dist', 'test', 'bench', 'bin']);

const sourceEntry = (entry) => !entry.name.startsWith('.') && !(entry.isDirectory() && skipped.has(entry.name));

/** The top-level folders and files that hold sources (the root's own mtime changes with every build and log file). */
function topLevel() {
  return fs.readdirSync(root, { withFileTypes: true }).filter((e) => sourceEntry(e) && (e.isDirectory() || e.name.endsWith('.ts'))).map((e) => e.name).sort().join('/');
}

function walk(dir, rel, found) {
  if (rel) found.dirs[rel] = fs.statSync(dir).mtimeMs;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!sourceEntry(entry)) continue;
    const entryRel = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      walk(path.join(dir, entry.name), entryRel, found);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      found.files[entryRel] = fs.statSync(path.join(dir, entry.name)).mtimeMs;
    }
  }
  return found;
}

/** True when dist/ was built from the sources as they are now. */
function distIsFresh() {
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
  } catch {
    return false;
  }
  try {
    if (stamp.top !== topLevel()) return false;
    for (const [rel, mtime] of Object.entries(stamp.dirs)) if (fs.statSync(path.join(root, rel)).mtimeMs !== mtime) return false;
    for (const [rel, mtime] of Object.entries(stamp.files)) if (fs.statSync(path.join(root, rel)).mtimeMs !== mtime) return false;
  } catch {
    return false; // a file or folder went away
  }
  return true;
}

/** Compiles every source file into a fresh folder, then swaps it in, so a concurrent start never sees half a build. */
async function buildDist() {
  // tsx's own esbuild: the same transform tsx applies at run time, without a second copy to keep in step.
  const esbuild = require(require.resolve('esbuild', { paths: [path.dirname(require.resolve('tsx/package.json'))] }));
  const sources = walk(root, '', { top: topLevel(), dirs: {}, files: {} });
  fs.mkdirSync(scratch, { recursive: true });
  const staging = path.join(scratch, `building-${process.pid}`);
  fs.rmSync(staging, { recursive: true, force: true });
  await Promise.all(Object.keys(sources.files).map(async (rel) => {
    const relDir = path.posix.dirname(rel);
    const ups = '../'.repeat(relDir === '.' ? 1 : relDir.split('/').length + 1);
    const source = fs.readFileSync(path.join(root, rel), 'utf8');
    const { code } = await esbuild.transform(source, {
      loader: 'ts', format: 'cjs', platform: 'node', target: 'node20', sourcefile: rel,
      banner: `var __dirname = require("node:path").join(__dirname, ${JSON.stringify(`${ups}${relDir === '.' ? '' : relDir}`)});`,
    });
    const out = path.join(staging, rel.replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, code);
  }));
  precompileCatalogue(staging);
  fs.writeFileSync(path.join(staging, 'stamp.json'), JSON.stringify(sources));
  const old = path.join(scratch, `old-${process.pid}`);
  try {
    fs.renameSync(dist, old);
  } catch {
    // no previous build
  }
  try {
    fs.renameSync(staging, dist);
  } finally {
    // If another build swapped its copy in first, it is as fresh as ours.
    fs.rmSync(staging, { recursive: true, force: true });
    fs.rmSync(old, { recursive: true, force: true });
  }
}

/**
 * Validates the bundled obligations catalogue with the code just compiled and stores the result in the build
 * (obligations/precompiled.ts reads it). An invalid catalogue is left out: commands then report its issues as before.
 */
function precompileCatalogue(staging) {
  try {
    const text = fs.readFileSync(path.join(root, 'obligations', 'catalogue.yaml'), 'utf8');
    const out = path.join(staging, 'obligations');
    const result = require(path.join(out, 'parse-catalogue.js')).parseCatalogue(text);
    if (result.ok) require(path.join(out, 'precompiled.js')).writePrecompiledCatalogue(out, text, result.catalogue);
  } catch {
    // Only a shortcut: without it, commands parse and validate the catalogue themselves.
  }
}

/** Rebuilds in a detached process for the next start, unless a rebuild is already under way (a lock folder). */
function rebuildInBackground() {
  const lock = path.join(scratch, 'lock');
  try {
    fs.mkdirSync(scratch, { recursive: true });
    fs.mkdirSync(lock);
  } catch {
    // Another rebuild holds it; one that died long ago left it behind.
    if (Date.now() - fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs < 120_000) return;
  }
  const { spawn } = require('node:child_process');
  spawn(process.execPath, [__filename, '--release', lock], { detached: true, stdio: 'ignore' }).unref();
}

module.exports = { distIsFresh, buildDist, rebuildInBackground, dist };

if (require.main === module) {
  const started = Date.now();
  const lock = process.argv[2] === '--release' ? process.argv[3] : undefined;
  buildDist()
    .then(
      () => console.error(`firebreak: compiled to dist/ in ${Date.now() - started} ms`),
      (error) => {
        // Never fails an install: bin/firebreak.js falls back to compiling at each start.
        console.error(`firebreak: could not compile to dist/ (${error.message}); commands will compile at each start`);
      },
    )
    .finally(() => lock && fs.rmSync(lock, { recursive: true, force: true }));
}
