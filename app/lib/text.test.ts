import { describe, expect, it } from "vitest";
import { CONTROL_CHARACTERS_MESSAGE, textField } from "./text";

describe("textField", () => {
  const name = textField({ required: "Enter your name", max: 10 });
  const message = textField({ max: 100, multiline: true });

  it("keeps ordinary text, trimmed", () => {
    expect(name.parse("  Zoë Ōkubo ")).toBe("Zoë Ōkubo");
    expect(message.parse("Two\nlines\twith a tab")).toBe("Two\nlines\twith a tab");
  });

  it("refuses NUL and every other control character with a sentence", () => {
    for (const value of ["Ada\u0000", "a\u0007b", "a\u001bb", "a\u007fb", "a\u0085b", "a\nb"]) {
      expect(name.safeParse(value).error?.issues[0]?.message, JSON.stringify(value)).toBe(CONTROL_CHARACTERS_MESSAGE);
    }
    expect(message.safeParse("line\u0000").error?.issues[0]?.message).toBe(CONTROL_CHARACTERS_MESSAGE);
  });

  it("says what is missing or too long", () => {
    expect(name.safeParse("   ").error?.issues[0]?.message).toBe("Enter your name");
    expect(name.safeParse("x".repeat(11)).error?.issues[0]?.message).toBe("Use at most 10 characters");
    expect(message.parse("")).toBe("");
  });
});
