#!/usr/bin/env node
'use strict';
// Runs the compiled copy in dist/ when it matches the sources (see bin/dist.js); otherwise compiles at start with
// tsx this once and rebuilds dist/ in the background for the next command.
const { distIsFresh, rebuildInBackground, dist } = require('./dist');

if (distIsFresh()) {
  require(`${dist}/cli/main.js`);
} else {
  rebuildInBackground();
  require('tsx/cjs');
  require('../cli/main.ts');
}
