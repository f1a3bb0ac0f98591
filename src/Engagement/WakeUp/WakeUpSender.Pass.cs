namespace Engagement.WakeUp;

public sealed partial class WakeUpSender
{
    /// <summary>What a pass does with the steps it read: each step's state and times decide (pure, no storage).</summary>
    private sealed class PassWork(DateTimeOffset now)
    {
        private List<(WakeUpDue Due, WakeUpStepRow Row)> _toSend = [];
        private Dictionary<string, List<(WakeUpDue Due, WakeUpStepRow Row)>> _abandoned = new(StringComparer.Ordinal);

        public List<(WakeUpDue Due, WakeUpStepRow Row)> Skip { get; } = [];

        public List<(WakeUpDue Due, WakeUpStepRow Row)> Miss { get; } = [];

        public List<WakeUpDue> Closed { get; } = [];

        public List<(WakeUpDue Due, WakeUpStep Step)> Refile { get; } = [];

        public List<WakeUpDue> Orphans { get; } = [];

        /// <summary>Pointers done with for another reason (a batch the pipeline refused: its steps skipped).</summary>
        public List<WakeUpDue> Dropped { get; } = [];

        /// <summary>Batches hand off side by side: what they leave for the end of the pass is added under a lock.</summary>
        public void Refiling(IEnumerable<(WakeUpDue Due, WakeUpStep Step)> sent)
        {
            lock (Refile)
            {
                Refile.AddRange(sent);
            }
        }

        public void Drop(IEnumerable<WakeUpDue> pointers)
        {
            lock (Dropped)
            {
                Dropped.AddRange(pointers);
            }
        }

        public void Sort(IEnumerable<(WakeUpDue Due, WakeUpStepRow? Row)> steps, IEnumerable<WakeUpDue> closed)
        {
            Closed.AddRange(closed);
            foreach (var (due, row) in steps.OrderBy(r => r.Due.UserId, StringComparer.Ordinal).ThenBy(r => r.Due.Step))
            {
                if (row is null)
                {
                    // the plan's pointers are written just before its rows: only an old pointer is an orphan
                    if (due.Hour < now.AddHours(-1))
                    {
                        Orphans.Add(due);
                    }

                    continue;
                }

                var step = row.Step;
                switch (step.State)
                {
                    case WakeUpStepStates.Due when step.Time.ClosesAt <= now:
                        Skip.Add((due, row));
                        break;
                    case WakeUpStepStates.Due when step.Time.SendAt <= now:
                        _toSend.Add((due, row));
                        break;
                    case WakeUpStepStates.Sending when row.Batch is { } batch && row.ClaimedAt is { } claimed && now - claimed >= HandOffGrace:
                        (_abandoned.TryGetValue(batch, out var list) ? list : _abandoned[batch] = []).Add((due, row));
                        break;
                    case WakeUpStepStates.Sent when step.Time.ClosesAt <= now:
                        Miss.Add((due, row));
                        break;
                    case WakeUpStepStates.Sent when due.Kind != WakeUpDueKinds.Close:
                        Refile.Add((due, step)); // a crash after the send left it at its send hour
                        break;
                    case WakeUpStepStates.Completed or WakeUpStepStates.Missed or WakeUpStepStates.Skipped or WakeUpStepStates.Cancelled:
                        Closed.Add(due);
                        break;
                }
            }
        }

        /// <summary>The steps to claim and hand off that were sorted since the last call.</summary>
        public List<(WakeUpDue Due, WakeUpStepRow Row)> TakeToSend()
        {
            var taken = _toSend;
            _toSend = [];
            return taken;
        }

        /// <summary>The abandoned batches sorted since the last call.</summary>
        public Dictionary<string, List<(WakeUpDue Due, WakeUpStepRow Row)>> TakeAbandoned()
        {
            var taken = _abandoned;
            _abandoned = new(StringComparer.Ordinal);
            return taken;
        }
    }
}
