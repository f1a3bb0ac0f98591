#:package Azure.Storage.Queues
// Client half of eng/azurite-queue-bench/run.sh (a .NET file-based app).
using System.Diagnostics;
using Azure.Storage.Queues;

// args: label connectionString depth seconds
var label = args[0];
var opts = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
var q = new QueueClient(args[1], "bench-" + Guid.NewGuid().ToString("N")[..8], opts);
await q.CreateAsync();
var depth = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
var seconds = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
var body = new string('x', 900);
long maxMs = 0;
async Task<T> Timed<T>(Func<Task<T>> f)
{
    var t = Stopwatch.GetTimestamp();
    try { return await f(); }
    finally { var ms = (long)Stopwatch.GetElapsedTime(t).TotalMilliseconds; if (ms > Interlocked.Read(ref maxMs)) Interlocked.Exchange(ref maxMs, ms); }
}
async Task SendAsync(int n) => await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, ct) => await Timed(() => q.SendMessageAsync(body, ct)));
async Task<int> DrainAsync()
{
    var n = 0;
    while (true)
    {
        var batch = (await Timed(() => q.ReceiveMessagesAsync(32))).Value;
        if (batch.Length == 0) return n;
        await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (m, ct) => await Timed(() => q.DeleteMessageAsync(m.MessageId, m.PopReceipt, ct)));
        n += batch.Length;
    }
}

// 1. a deep queue: receive + delete rate with `depth` messages waiting
await SendAsync(depth);
var t0 = Stopwatch.GetTimestamp();
var drained = await DrainAsync();
var s0 = Stopwatch.GetElapsedTime(t0).TotalSeconds;
Console.WriteLine($"{label}: {drained} messages {depth} deep: receive+delete {drained / s0:F0}/s, slowest request {maxMs} ms");

// 2. the callbacks' pattern for `seconds`: send 500, drain, again (the 60 s GC falls inside)
maxMs = 0;
var t1 = Stopwatch.GetTimestamp();
long total = 0, worstRound = 0;
while (Stopwatch.GetElapsedTime(t1).TotalSeconds < seconds)
{
    var r = Stopwatch.GetTimestamp();
    await SendAsync(500);
    total += await DrainAsync();
    worstRound = Math.Max(worstRound, (long)Stopwatch.GetElapsedTime(r).TotalMilliseconds);
}
var s1 = Stopwatch.GetElapsedTime(t1).TotalSeconds;
Console.WriteLine($"{label}: rounds of 500 for {s1:F0} s: {total} messages = {total / s1:F0}/s (send+receive+delete), slowest round {worstRound} ms, slowest request {maxMs} ms");
await q.DeleteAsync();
