import Foundation

/// C `strftime` in the "C" locale, as Python's `datetime.strftime` uses it
/// (Python itself handles `%f`). Supports glibc's padding flags `-`, `_`,
/// `0` and `^`; unknown directives are copied through as glibc does.
enum Strftime {
    private static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    private static let months = ["January", "February", "March", "April", "May", "June", "July",
                                 "August", "September", "October", "November", "December"]

    /// Formats `date` in the current time zone.
    static func format(_ date: Date, _ format: String, timeZone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond, .weekday], from: date)
        let year = parts.year ?? 1970
        let month = parts.month ?? 1
        let day = parts.day ?? 1
        let hour = parts.hour ?? 0
        let minute = parts.minute ?? 0
        let second = parts.second ?? 0
        let weekday = (parts.weekday ?? 1) - 1  // 0 = Sunday
        let dayOfYear = calendar.ordinality(of: .day, in: .year, for: date) ?? 1
        var iso = Calendar(identifier: .iso8601)
        iso.timeZone = timeZone
        let isoParts = iso.dateComponents([.weekOfYear, .yearForWeekOfYear], from: date)
        let offsetSeconds = timeZone.secondsFromGMT(for: date)

        let scalars = Array(format.unicodeScalars)
        var out = ""
        var i = 0
        while i < scalars.count {
            guard scalars[i] == "%", i + 1 < scalars.count else {
                out.unicodeScalars.append(scalars[i])
                i += 1
                continue
            }
            let start = i
            i += 1
            var flag: Unicode.Scalar?
            if "-_0^#".unicodeScalars.contains(scalars[i]), i + 1 < scalars.count {
                flag = scalars[i]
                i += 1
            }
            let directive = scalars[i]
            i += 1
            func number(_ value: Int, width: Int, pad: Unicode.Scalar = "0") -> String {
                let digits = String(value)
                let padding: Unicode.Scalar? = flag == "-" ? nil : flag == "_" ? " " : flag == "0" ? "0" : pad
                guard let padding, digits.count < width else { return digits }
                return String(repeating: String(padding), count: width - digits.count) + digits
            }
            func text(_ value: String) -> String { flag == "^" ? value.uppercased() : value }
            let hour12 = hour % 12 == 0 ? 12 : hour % 12
            switch directive {
            case "a": out += text(String(weekdays[weekday].prefix(3)))
            case "A": out += text(weekdays[weekday])
            case "b", "h": out += text(String(months[month - 1].prefix(3)))
            case "B": out += text(months[month - 1])
            case "c":
                out += "\(weekdays[weekday].prefix(3)) \(months[month - 1].prefix(3)) "
                out += "\(number(day, width: 2, pad: " ")) \(number(hour, width: 2)):\(number(minute, width: 2)):\(number(second, width: 2)) \(year)"
            case "C": out += number(year / 100, width: 2)
            case "d": out += number(day, width: 2)
            case "D", "x": out += "\(number(month, width: 2))/\(number(day, width: 2))/\(number(year % 100, width: 2))"
            case "e": out += number(day, width: 2, pad: " ")
            case "f": out += number((parts.nanosecond ?? 0) / 1000, width: 6)
            case "F": out += "\(number(year, width: 4))-\(number(month, width: 2))-\(number(day, width: 2))"
            case "G": out += number(isoParts.yearForWeekOfYear ?? year, width: 4)
            case "g": out += number((isoParts.yearForWeekOfYear ?? year) % 100, width: 2)
            case "H": out += number(hour, width: 2)
            case "I": out += number(hour12, width: 2)
            case "j": out += number(dayOfYear, width: 3)
            case "k": out += number(hour, width: 2, pad: " ")
            case "l": out += number(hour12, width: 2, pad: " ")
            case "m": out += number(month, width: 2)
            case "M": out += number(minute, width: 2)
            case "n": out += "\n"
            case "p": out += hour < 12 ? "AM" : "PM"
            case "P": out += hour < 12 ? "am" : "pm"
            case "r": out += "\(number(hour12, width: 2)):\(number(minute, width: 2)):\(number(second, width: 2)) \(hour < 12 ? "AM" : "PM")"
            case "R": out += "\(number(hour, width: 2)):\(number(minute, width: 2))"
            case "s": out += String(Int(date.timeIntervalSince1970.rounded(.down)))
            case "S": out += number(second, width: 2)
            case "t": out += "\t"
            case "T", "X": out += "\(number(hour, width: 2)):\(number(minute, width: 2)):\(number(second, width: 2))"
            case "u": out += String(weekday == 0 ? 7 : weekday)
            case "U": out += number((dayOfYear - 1 + 7 - weekday) / 7, width: 2)
            case "V": out += number(isoParts.weekOfYear ?? 1, width: 2)
            case "w": out += String(weekday)
            case "W": out += number((dayOfYear - 1 + 7 - (weekday + 6) % 7) / 7, width: 2)
            case "y": out += number(year % 100, width: 2)
            case "Y": out += String(year)
            case "z":
                let magnitude = abs(offsetSeconds) / 60
                out += (offsetSeconds < 0 ? "-" : "+") + number(magnitude / 60, width: 2) + number(magnitude % 60, width: 2)
            case "Z": out += timeZone.abbreviation(for: date) ?? ""
            case "%": out += "%"
            default: out += StringOps.string(scalars[start..<i])
            }
        }
        return out
    }
}
