// Vitest main process: the registry folder name of a project.
export function sanitizeProjectName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]+/g, '_') || 'default'
}
