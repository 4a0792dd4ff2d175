import { describe, expect, it } from "vitest";
import {
  enumeratePeriods,
  isoWeek,
  nextPeriod,
  parseDate,
  periodRange,
  periodStart,
  periodsTouched,
} from "../../../src/core/metrics/periods.ts";

describe("period buckets (UTC)", () => {
  it("puts Sunday 23:59:59.999 UTC in the week that began on the Monday before, and Monday 00:00 in the next", () => {
    expect(periodStart("week", Date.parse("2026-03-08T23:59:59.999Z"))).toBe("2026-03-02");
    expect(periodStart("week", Date.parse("2026-03-09T00:00:00.000Z"))).toBe("2026-03-09");
    expect(periodStart("day", Date.parse("2026-03-08T23:59:59.999Z"))).toBe("2026-03-08");
  });

  it("splits months at midnight UTC of the 1st, including leap February", () => {
    expect(periodStart("month", Date.parse("2028-02-29T23:59:59.999Z"))).toBe("2028-02-01");
    expect(periodStart("month", Date.parse("2028-03-01T00:00:00.000Z"))).toBe("2028-03-01");
    expect(periodRange("month", "2028-02-01").end.toISOString()).toBe("2028-03-01T00:00:00.000Z");
    expect(periodRange("month", "2026-12-01").end.toISOString()).toBe("2027-01-01T00:00:00.000Z");
  });

  it("names ISO weeks across a year boundary by their Monday, which may be in the previous year", () => {
    // 2026-01-01 is a Thursday: ISO week 2026-W01 starts on Monday 2025-12-29.
    expect(periodStart("week", Date.parse("2026-01-01T12:00:00Z"))).toBe("2025-12-29");
    expect(isoWeek(Date.parse("2026-01-01T12:00:00Z"))).toEqual({ year: 2026, week: 1 });
    // 2027-01-01 is a Friday and belongs to 2026-W53 (2026 has 53 ISO weeks).
    expect(periodStart("week", Date.parse("2027-01-01T00:00:00Z"))).toBe("2026-12-28");
    expect(isoWeek(Date.parse("2027-01-03T23:59:59Z"))).toEqual({ year: 2026, week: 53 });
    expect(isoWeek(Date.parse("2027-01-04T00:00:00Z"))).toEqual({ year: 2027, week: 1 });
  });

  it("buckets by the instant a timestamp names, whatever its offset", () => {
    // 23:30 in New York on 1 March is 04:30 UTC on 2 March.
    const ny = new Date("2026-03-01T23:30:00-05:00");
    expect(periodStart("day", ny)).toBe("2026-03-02");
    expect(periodStart("week", ny)).toBe("2026-03-02");
    // 01:00 in Athens on 1 March is still February in UTC.
    const athens = new Date("2026-03-01T01:00:00+02:00");
    expect(periodStart("day", athens)).toBe("2026-02-28");
    expect(periodStart("month", athens)).toBe("2026-02-01");
    expect(periodStart("week", athens)).toBe("2026-02-23");
  });

  it("lists every bucket between two instants, both ends included", () => {
    expect(
      enumeratePeriods("week", Date.parse("2026-03-01T00:00Z"), Date.parse("2026-03-16T00:00Z")),
    ).toEqual(["2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16"]);
    expect(
      enumeratePeriods("month", Date.parse("2025-11-30T00:00Z"), Date.parse("2026-01-01T00:00Z")),
    ).toEqual(["2025-11-01", "2025-12-01", "2026-01-01"]);
    expect(nextPeriod("day", "2026-12-31")).toBe("2027-01-01");
  });

  it("touches a day, a week and a month per instant, deduplicated", () => {
    const keys = periodsTouched([
      Date.parse("2026-03-02T01:00Z"),
      Date.parse("2026-03-02T22:00Z"),
      Date.parse("2026-03-03T00:00Z"),
    ]);
    expect(keys).toEqual(
      [
        { period: "day", date: "2026-03-02" },
        { period: "month", date: "2026-03-01" },
        { period: "week", date: "2026-03-02" },
        { period: "day", date: "2026-03-03" },
      ].sort((a, b) => a.date.localeCompare(b.date) || a.period.localeCompare(b.period)),
    );
  });

  it("refuses dates that are not bucket starts or not dates", () => {
    expect(() => periodRange("week", "2026-03-03")).toThrow(/does not start a week/);
    expect(() => parseDate("2026-02-30")).toThrow(/not a calendar date/);
    expect(() => parseDate("03/02/2026")).toThrow(/YYYY-MM-DD/);
  });
});
