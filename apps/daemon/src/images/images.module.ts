/**
 * The images API and the image machinery of a member, as the controllers and providers the
 * application module lists (they inject the daemon's shared providers: Databases, StateDir,
 * OperationsManager, EventBus, PeerClient, ClusterMembers, ServerConfig). ImageService is what
 * instance creation uses.
 */
import { ImageAliasCatalog } from './image-alias-catalog';
import { ImageAliasesController } from './image-aliases.controller';
import { ImageCatalog } from './image-catalog';
import { ImageDeleter } from './image-deleter';
import { ImageHoldings } from './image-holdings';
import { ImageImporter } from './image-importer';
import { ImageLocks } from './image-locks';
import { ImageReplicator } from './image-replicator';
import { ImageService } from './image-service';
import { ImageStartup } from './image-startup';
import { ImagesController } from './images.controller';
import { InternalImagesController } from './internal-images.controller';
import { LocalImageFiles } from './local-image-files';
import { LocalNode } from './local-node';
import { PeerImageTransport } from './transfer/peer-image-transport';

export const IMAGE_CONTROLLERS = [ImageAliasesController, ImagesController, InternalImagesController];

export const IMAGE_PROVIDERS = [
  ImageCatalog,
  ImageAliasCatalog,
  ImageHoldings,
  LocalNode,
  LocalImageFiles,
  ImageLocks,
  PeerImageTransport,
  ImageService,
  ImageImporter,
  ImageDeleter,
  ImageReplicator,
  ImageStartup,
];
