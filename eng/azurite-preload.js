// Loaded into Azurite by AzuriteLauncher (node --require). Works around a removal cost in
// LokiJS 1.5.12, the in-memory database behind Azurite 3.35.0, that stalls queue-heavy runs.
// Evidence and numbers: docs/benchmarks.md, "Status callbacks".
//
// Collection.removeBatchByPositions re-sorts every binary index of the collection after each
// call, whatever the batch size, even for an empty batch. Azurite calls it:
//  - on every queue receive, delete, update and peek (clearExpiredMessages removes the expired
//    messages, usually none): four full sorts of every message of the account per request;
//  - once per deleted extent in the queue's 60-second garbage collection (one extent per message
//    ever sent): quadratic in the messages sent since the last pass, on Node's only thread, so
//    every queue and table request waits, for minutes after tens of thousands of messages.
// Empty batches become no-ops, and a one-document batch takes Collection.remove's path, which
// updates the indexes in place (a binary search and a splice); larger batches are unchanged.
'use strict';

const path = require('path');

// the lokijs that Azurite itself loads (the copy next to it)
const azuriteDir = path.dirname(require.resolve('azurite/package.json', { paths: [path.join(__dirname, '..')] }));
const loki = require(require.resolve('lokijs', { paths: [azuriteDir] }));
const proto = loki.Collection && loki.Collection.prototype;

if (proto && typeof proto.removeBatchByPositions === 'function' && typeof proto.remove === 'function') {
  const removeBatch = proto.removeBatchByPositions;
  proto.removeBatchByPositions = function (positions) {
    if (positions.length === 0) {
      return;
    }

    if (positions.length === 1 && this.data[positions[0]] !== undefined) {
      this.remove(this.data[positions[0]]);
      return;
    }

    return removeBatch.call(this, positions);
  };
} else {
  console.error('azurite-preload: lokijs has no Collection.removeBatchByPositions; running Azurite unpatched');
}
