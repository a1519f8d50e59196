import { LocalLobbyState } from '../../app/realtime/lobby-state.ts';
import { lobbyStateContract } from '../helpers/lobby-state-contract.ts';

lobbyStateContract('LocalLobbyState', () => new LocalLobbyState());
