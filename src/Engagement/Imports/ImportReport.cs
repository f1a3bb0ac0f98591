namespace Engagement.Imports;

/// <summary>What an import did: rows read, rows imported, and each refused row with its line and errors.</summary>
public sealed record ImportReport(int Rows, int Imported, IReadOnlyList<(int Line, string Error)> Rejected);
