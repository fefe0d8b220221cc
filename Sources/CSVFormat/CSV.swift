import Foundation

/// The one CSV reader and writer of the project (partner files, batch scores in and out).
/// RFC 4180 CSV: quoted fields with doubled quotes, commas and newlines inside quotes.
public enum CSV {
    public static func quote(_ cell: String) -> String {
        cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
    }

    /// Parses text into rows of cells.
    public static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], cell = ""
        var quoted = false, iterator = Array(text.unicodeScalars), i = 0
        while i < iterator.count {
            let c = iterator[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < iterator.count, iterator[i + 1] == "\"" { cell.unicodeScalars.append("\""); i += 1 } else { quoted = false }
                } else {
                    cell.unicodeScalars.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                row.append(cell)
                cell = ""
            } else if c == "\n" || c == "\r" {
                if c == "\r", i + 1 < iterator.count, iterator[i + 1] == "\n" { i += 1 }
                row.append(cell)
                if !(row.count == 1 && row[0].isEmpty) { rows.append(row) }
                row = []
                cell = ""
            } else {
                cell.unicodeScalars.append(c)
            }
            i += 1
        }
        if !cell.isEmpty || !row.isEmpty {
            row.append(cell)
            rows.append(row)
        }
        iterator = []
        return rows
    }
}
