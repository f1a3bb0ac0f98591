// A developer's tool, loaded into Azurite by AzuriteLauncher (node --require, after azurite-preload.js) only when the
// environment variable ENGAGE_AZURITE_PROFILE names a directory: where a benchmark's Azurite time goes
// (docs/benchmarks.md, "Profiling Azurite"). From start-up it samples the CPU (V8's profiler, every 500 µs) and times
// each table-store call by operation, table (a shard's digits as #) and filter shape (constants as ?). Each SIGUSR2
// (`kill -USR2 <node pid>`) writes what was gathered since the previous one, as azurite-<pid>-<n>.cpuprofile (Chrome
// DevTools, speedscope) and azurite-<pid>-<n>.calls.txt, and starts again: signal at phase boundaries to split a run.
'use strict';

const dir = process.env.ENGAGE_AZURITE_PROFILE;
if (dir) {
  const fs = require('fs');
  const path = require('path');
  const inspector = require('inspector');
  const azuriteDir = path.dirname(require.resolve('azurite/package.json', { paths: [path.join(__dirname, '..')] }));
  const store = require(path.join(azuriteDir, 'dist', 'src', 'table', 'persistence', 'LokiTableMetadataStore.js')).default;
  fs.mkdirSync(dir, { recursive: true });

  let calls = new Map();
  const family = t => String(t).replace(/[0-9]+$/, '#');
  const shape = f => String(f || '').replace(/'[^']*'/g, '?').slice(0, 200);
  const time = (name, tableArg, filterOf) => {
    const original = store.prototype[name];
    if (typeof original !== 'function') {
      return;
    }

    store.prototype[name] = function (...args) {
      const start = process.hrtime.bigint();
      try {
        return original.apply(this, args); // the synchronous part: LokiJS does its work before the first await
      } finally {
        const key = `${name} ${family(args[tableArg])} ${filterOf ? filterOf(args) : ''}`.trim();
        const c = calls.get(key) || { ms: 0, calls: 0 };
        c.ms += Number(process.hrtime.bigint() - start) / 1e6;
        c.calls++;
        calls.set(key, c);
      }
    };
  };
  for (const name of ['insertTableEntity', 'insertOrUpdateTableEntity', 'insertOrMergeTableEntity', 'updateTableEntity', 'mergeTableEntity', 'deleteTableEntity', 'queryTableEntitiesWithPartitionAndRowKey']) {
    time(name, 1);
  }
  time('queryTableEntities', 2, a => shape(a[3] && a[3].filter) + (a[4] ? ' [continued]' : ''));

  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start')));
  let n = 0;
  process.on('SIGUSR2', () => {
    const part = `azurite-${process.pid}-${n++}`;
    const lines = [...calls.entries()].sort((a, b) => b[1].ms - a[1].ms)
      .map(([k, v]) => `${v.ms.toFixed(0).padStart(9)} ms ${String(v.calls).padStart(8)} calls  ${k}`);
    fs.writeFileSync(path.join(dir, `${part}.calls.txt`), lines.join('\n') + '\n');
    calls = new Map();
    session.post('Profiler.stop', (err, result) => {
      if (!err) {
        fs.writeFileSync(path.join(dir, `${part}.cpuprofile`), JSON.stringify(result.profile));
      }

      session.post('Profiler.start');
    });
  });
  console.error(`azurite-profile: profiling to ${dir}; kill -USR2 ${process.pid} writes a part`);
}
