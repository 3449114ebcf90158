/** `trellis mcp`: the MCP server on stdio for desktop agents, against TRELLIS_URL with TRELLIS_API_KEY. */
import type { Command } from 'commander';
import { runStdioMcp } from '../../mcp/stdio.js';
import { client, type RemoteOptions } from '../client.js';

export function mcpCommand(program: Command): void {
  program
    .command('mcp')
    .description('Serve the Trellis MCP tools on stdin/stdout for an AI agent (Claude Desktop, an IDE): the key decides which tools it sees')
    .option('--url <url>', 'the server (default TRELLIS_URL, else http://localhost:3000)')
    .option('--api-key <key>', 'the key (default TRELLIS_API_KEY)')
    .addHelpText('after', '\nIn an agent\'s MCP configuration:\n  {"command": "npx", "args": ["trellis", "mcp"], "env": {"TRELLIS_URL": "https://crm.example.com", "TRELLIS_API_KEY": "trl_live_…"}}')
    .action((options: RemoteOptions) => runStdioMcp(client(options)));
}
