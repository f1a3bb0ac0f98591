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

// Tables. Azurite keeps each table in one LokiJS collection with binary indexes on PartitionKey and
// RowKey, but LokiJS uses an index only for the first condition of a query:
//  - point reads and every insert, update, merge and delete look the row up with
//    findOne({ PartitionKey, RowKey }): the PartitionKey index gives the whole partition, which is
//    then scanned for the RowKey (6,250 rows per look-up for 100,000 users in 16 shards);
//  - a query runs its filter over every row of the table, for every page (100 pages to read
//    100,000 users: 100 full scans), whatever its PartitionKey condition.
// The look-up puts the RowKey first (its index finds the row; the PartitionKey is then checked on
// it), and a query whose filter requires one PartitionKey (an `eq` joined to the rest by `and`
// only) starts from that partition's index range; when the same chain also bounds the RowKey
// (ge, gt, le, lt, eq), only from the partition's rows in that key range, found through the narrower
// of the two index ranges (a page of a few hundred keys otherwise ran the filter over the whole
// partition, 6,000-15,000 rows). Azurite's own filter, continuation and sort still run on what is
// left, so the answers are the same.
const tableStorePath = path.join(azuriteDir, 'dist', 'src', 'table', 'persistence', 'LokiTableMetadataStore.js');
const queryParserPath = path.join(azuriteDir, 'dist', 'src', 'table', 'persistence', 'QueryInterpreter', 'QueryParser.js');
let tableStore;
let parseQuery;
try {
  tableStore = require(tableStorePath).default;
  parseQuery = require(queryParserPath).default;
} catch (e) {
  console.error(`azurite-preload: ${e.message}; tables run unpatched`);
}

if (proto && typeof proto.findOne === 'function' && typeof proto.calculateRange === 'function') {
  const findOne = proto.findOne;
  const size = range => range[1] - range[0] + 1;
  proto.findOne = function (query) {
    const keys = query ? Object.keys(query) : [];
    const indexes = this.binaryIndices;
    if (keys.length !== 2 || !('PartitionKey' in query) || !('RowKey' in query)
      || typeof query.PartitionKey !== 'string' || typeof query.RowKey !== 'string'
      || !indexes || !indexes.PartitionKey || !indexes.RowKey || indexes.PartitionKey.dirty || indexes.RowKey.dirty
      || this.cloneObjects || this.data.length === 0) {
      return findOne.call(this, query);
    }

    // walk the narrower of the two index ranges: a RowKey is usually unique (a user id), but some tables
    // repeat one RowKey in every partition (an inbox row per user for the same message)
    const byRow = this.calculateRange('$eq', 'RowKey', query.RowKey);
    const byPartition = this.calculateRange('$eq', 'PartitionKey', query.PartitionKey);
    const [range, values] = size(byRow) <= size(byPartition) ? [byRow, indexes.RowKey.values] : [byPartition, indexes.PartitionKey.values];
    for (let i = range[0]; i <= range[1]; i++) {
      const doc = this.data[values[i]];
      if (doc && doc.PartitionKey === query.PartitionKey && doc.RowKey === query.RowKey) {
        return doc;
      }
    }

    return null;
  };
}

// Every merge of a row (Collection.update) re-places the row in each binary index, and LokiJS finds
// the row's old place in the index with a linear scan of the whole index (two scans of every row of
// the table per merge). A row's PartitionKey and RowKey never change, so the row is looked for in
// its key's index range first, where it still sits in order; only if it is not there (a changed
// indexed value) does LokiJS's own move run.
if (proto && typeof proto.adaptiveBinaryIndexUpdate === 'function') {
  const move = proto.adaptiveBinaryIndexUpdate;
  proto.adaptiveBinaryIndexUpdate = function (dataPosition, name) {
    const index = this.binaryIndices[name];
    const doc = this.data[dataPosition];
    if (name.indexOf('.') === -1 && index && !index.dirty && doc && typeof doc[name] === 'string') {
      const range = this.calculateRange('$eq', name, doc[name]);
      for (let i = range[0]; i <= range[1]; i++) {
        if (index.values[i] === dataPosition) {
          return; // still in order: nothing to move
        }
      }
    }

    return move.call(this, dataPosition, name);
  };
}

const mirrored = { eq: 'eq', ge: 'le', gt: 'lt', le: 'ge', lt: 'gt' };

/**
 * What every row matching the filter has, from the comparisons of a key with a string in its top-level `and` chain
 * (a term under `or` or `not` constrains nothing): { partitionKey, lower, upper }, each possibly undefined, the RowKey
 * bounds as { value, inclusive }, the tightest given. Undefined for a filter that does not parse.
 */
function requiredKeys(filter) {
  if (typeof filter !== 'string' || filter.length === 0) {
    return undefined;
  }

  let tree;
  try {
    tree = parseQuery(filter);
  } catch {
    return undefined; // Azurite parses it again and answers the error itself
  }

  const keys = { partitionKey: undefined, lower: undefined, upper: undefined };
  const stack = [tree];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node) {
      continue;
    }

    if (node.name === 'and') {
      stack.push(node.left, node.right);
      continue;
    }

    if (!Object.hasOwn(mirrored, node.name) || !node.left || !node.right) {
      continue;
    }

    // 'x' le RowKey is RowKey ge 'x'
    const [id, constant, op] = node.left.name === 'constant' ? [node.right, node.left, mirrored[node.name]] : [node.left, node.right, node.name];
    if (id.name !== 'id' || constant.name !== 'constant' || typeof constant.value !== 'string') {
      continue;
    }

    const value = constant.value;
    if (id.identifier === 'PartitionKey') {
      if (op === 'eq' && keys.partitionKey === undefined) {
        keys.partitionKey = value;
      }
    } else if (id.identifier === 'RowKey') {
      if (op === 'eq' || op === 'ge' || op === 'gt') {
        const inclusive = op !== 'gt';
        if (!keys.lower || value > keys.lower.value || (value === keys.lower.value && !inclusive)) {
          keys.lower = { value, inclusive };
        }
      }

      if (op === 'eq' || op === 'le' || op === 'lt') {
        const inclusive = op !== 'lt';
        if (!keys.upper || value < keys.upper.value || (value === keys.upper.value && !inclusive)) {
          keys.upper = { value, inclusive };
        }
      }
    }
  }

  return keys;
}

/** The first i in [from, to) for which test(i) holds, test being false then true along the range; to if none. */
function firstWhere(from, to, test) {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (test(mid)) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }

  return lo;
}

// A string LokiJS does not compare as a number: its indexes sort '' first, then the number-like strings
// ('12', ' 5', '1e3', 'Infinity', '0x1f') by their numbers, then these in JavaScript's order, which is Azurite's
const plainString = v => typeof v === 'string' && v.length > 0 && Number.isNaN(Number(v));

/**
 * The positions (in collection.data) of the rows of the partition whose RowKey lies in the bounds, a superset of what
 * the filter matches, walked from the narrower of the partition's index range and the RowKey index range; undefined
 * when an index is missing or out of step (Azurite then answers from the partition, as without bounds).
 */
function rowsInKeyRange(collection, keys) {
  const { partitionKey, lower, upper } = keys;
  const data = collection.data;
  const indexes = collection.binaryIndices;
  if (!Array.isArray(data) || data.length === 0 || !indexes || !indexes.PartitionKey || !indexes.RowKey
    || indexes.PartitionKey.dirty || indexes.RowKey.dirty
    || indexes.PartitionKey.values.length !== data.length || indexes.RowKey.values.length !== data.length) {
    return undefined;
  }

  const inRange = rowKey => typeof rowKey !== 'string' // Azurite's filter decides those
    || ((lower === undefined || (lower.inclusive ? rowKey >= lower.value : rowKey > lower.value))
      && (upper === undefined || (upper.inclusive ? rowKey <= upper.value : rowKey < upper.value)));

  // the RowKey index: its number-like head is walked whole (usually empty), its plain strings from the bounds
  const byRow = indexes.RowKey.values;
  const rowKeyAt = i => {
    const doc = data[byRow[i]];
    return doc === undefined ? undefined : doc.RowKey;
  };
  const n = byRow.length;
  const plain = firstWhere(0, n, i => plainString(rowKeyAt(i)));
  const lo = lower === undefined ? plain : firstWhere(plain, n, i => (lower.inclusive ? rowKeyAt(i) >= lower.value : rowKeyAt(i) > lower.value));
  const hi = upper === undefined ? n : firstWhere(lo, n, i => (upper.inclusive ? rowKeyAt(i) > upper.value : rowKeyAt(i) >= upper.value));

  const partition = collection.calculateRange('$eq', 'PartitionKey', partitionKey);
  const spans = plain + (hi - lo) <= partition[1] - partition[0] + 1
    ? [[byRow, 0, plain], [byRow, lo, hi]]
    : [[indexes.PartitionKey.values, partition[0], partition[1] + 1]];
  const rows = [];
  for (const [values, from, to] of spans) {
    for (let i = from; i < to; i++) {
      const doc = data[values[i]];
      if (doc !== undefined && doc.PartitionKey === partitionKey && inRange(doc.RowKey)) {
        rows.push(values[i]);
      }
    }
  }

  return rows;
}

if (tableStore && parseQuery && typeof tableStore.prototype.queryTableEntities === 'function' && typeof tableStore.prototype.getEntityCollection === 'function') {
  const query = tableStore.prototype.queryTableEntities;
  tableStore.prototype.queryTableEntities = function (context, account, table, queryOptions, nextPartitionKey, nextRowKey) {
    const keys = requiredKeys(queryOptions && queryOptions.filter);
    const partitionKey = keys && keys.partitionKey;
    let collection;
    try {
      collection = partitionKey === undefined ? undefined : this.getEntityCollection(account, table, context);
    } catch {
      collection = undefined; // a missing table: Azurite answers it
    }

    if (!collection || !collection.binaryIndices || !collection.binaryIndices.PartitionKey) {
      return query.call(this, context, account, table, queryOptions, nextPartitionKey, nextRowKey);
    }

    // Azurite's query is synchronous up to its result (no await inside), so the chain is replaced for this call only
    const bounded = keys.lower !== undefined || keys.upper !== undefined;
    collection.chain = function () {
      const resultset = proto.chain.apply(this, arguments);
      let rows;
      try {
        rows = bounded && Array.isArray(resultset.filteredrows) && resultset.filterInitialized === false
          ? rowsInKeyRange(this, keys)
          : undefined;
      } catch {
        rows = undefined; // a LokiJS this preload does not know: the partition, as without bounds
      }

      if (rows === undefined) {
        return resultset.find({ PartitionKey: partitionKey });
      }

      resultset.filteredrows = rows;
      resultset.filterInitialized = true;
      return resultset;
    };
    try {
      return query.call(this, context, account, table, queryOptions, nextPartitionKey, nextRowKey);
    } finally {
      delete collection.chain;
    }
  };
} else if (tableStore) {
  console.error('azurite-preload: LokiTableMetadataStore has no queryTableEntities; table queries run unpatched');
}
