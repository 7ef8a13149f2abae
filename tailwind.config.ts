import type { Config } from "tailwindcss";

export default {
  content: ["./app/**/*.{ts,tsx}"],
  theme: {
    extend: {
      colors: {
        brand: {
          50: "#eef4ff",
          100: "#dbe6fe",
          600: "#2f55d4",
          700: "#2443b0",
          800: "#1f3a8f",
          900: "#1c326f",
        },
      },
    },
  },
  plugins: [],
} satisfies Config;
