/** The vendor's brand, shown in the header, footer and page titles. */
export const SITE_NAME = "Northwind Projects";
