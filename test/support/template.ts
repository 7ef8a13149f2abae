export const TEMPLATE_DATABASE = "portal_template";
