using System.Globalization;
using System.Text.Json;

namespace Aisbx.Core.Audit;

/// <summary>What <c>aisbx audit verify</c> found: the chain intact, or the first record where it breaks.</summary>
public sealed record AuditVerdict(bool Intact, long Records, int Files, string Message);

/// <summary>Walks every file of the audit log and checks each record's hash, sequence and link to the one before.</summary>
public static class AuditVerifier
{
    public static AuditVerdict Verify(AuditLog log)
    {
        var files = log.Files();
        long expectedSeq = 1;
        var prev = AuditLog.Genesis;
        foreach (var file in files)
        {
            var lineNumber = 0;
            foreach (var line in File.ReadLines(file))
            {
                lineNumber++;
                var where = $"{Path.GetFileName(file)} line {lineNumber.ToString(CultureInfo.InvariantCulture)}";
                if (AuditLog.Split(line) is not var (body, claimed))
                {
                    return Broken(expectedSeq - 1, files.Count, $"{where} is not an audit record (no hash): the log was edited");
                }

                if (AuditLog.Hash(body) != claimed)
                {
                    return Broken(expectedSeq - 1, files.Count, $"{where} does not match its hash: the record was edited");
                }

                AuditBody? record;
                try
                {
                    record = JsonSerializer.Deserialize(body, AuditJsonContext.Default.AuditBody);
                }
                catch (JsonException)
                {
                    record = null;
                }

                if (record is null || record.Seq != expectedSeq)
                {
                    return Broken(expectedSeq - 1, files.Count, $"{where} has seq {record?.Seq.ToString(CultureInfo.InvariantCulture) ?? "?"} where {expectedSeq.ToString(CultureInfo.InvariantCulture)} was due: a record was deleted, added or moved");
                }

                if (record.Prev != prev)
                {
                    return Broken(expectedSeq - 1, files.Count, $"{where} does not follow the record before it: records were deleted or reordered");
                }

                prev = claimed;
                expectedSeq++;
            }
        }

        var records = expectedSeq - 1;
        var head = log.ReadHead();
        if (head is not null && (head.Seq != records || head.Hash != prev))
        {
            return Broken(records, files.Count, $"the log ends at record {records.ToString(CultureInfo.InvariantCulture)}, but its head says {head.Seq.ToString(CultureInfo.InvariantCulture)}: records were cut from the end");
        }

        return new AuditVerdict(true, records, files.Count, $"audit log intact: {records.ToString(CultureInfo.InvariantCulture)} records in {files.Count.ToString(CultureInfo.InvariantCulture)} file(s), every hash and link checked");
    }

    private static AuditVerdict Broken(long good, int files, string message) =>
        new(false, good, files, "audit log broken: " + message);
}
