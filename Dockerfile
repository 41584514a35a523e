# Image-inference service (ASP.NET Core + ONNX Runtime).
#
# Multi-stage: restore, test and publish on the .NET SDK image; run on the ASP.NET runtime image, so the
# final image carries no SDK. Base images are build args, so a mirror or a locally built image can stand
# in for the official ones (the container tests do that, see docs/deploy.md).
#
#   docker build -t inference .                                  CPU image (default target)
#   docker build --build-arg RUN_TESTS=false -t inference .      skip the unit tests in the build
#   docker build --target cuda -t inference:cuda .               NVIDIA CUDA 12 + cuDNN 9 base,
#                                                                Microsoft.ML.OnnxRuntime.Gpu (-p:UseCuda=true)
#
#   docker run --read-only --tmpfs /tmp --tmpfs /var/cache/inference -p 8080:8080 -p 8081:8081 inference
#
# Models: models/ (config.json + labels.txt, optional model.onnx) is baked into /app/models; mount your own
# repository over it (-v ./models:/app/models:ro) or point Inference__ModelRepository elsewhere.

ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0
# ONNX Runtime's GPU NuGet packages are built against CUDA 12.x and cuDNN 9.x.
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04

# ---- build: restore, test, publish (CPU) -----------------------------------------------------------
FROM ${SDK_IMAGE} AS build
ARG RUN_TESTS=true
ARG CONFIGURATION=Release
WORKDIR /src
COPY . .
# RID-specific (the SDK's own, e.g. linux-x64): the image carries only its platform's native libraries.
RUN dotnet --info | awk '/^ *RID:/ { print $2; exit }' > /tmp/rid \
 && dotnet restore src/Inference.Api/Inference.Api.csproj -r "$(cat /tmp/rid)" -p:SelfContained=false
# Unit tests only: the container tests need a Docker engine and filter themselves out here.
RUN if [ "$RUN_TESTS" = "true" ]; then \
      dotnet test Inference.sln -c "$CONFIGURATION" --filter "Category!=Container" ; \
    else echo "RUN_TESTS=$RUN_TESTS: unit tests skipped"; fi
RUN dotnet publish src/Inference.Api/Inference.Api.csproj -c "$CONFIGURATION" --no-restore \
      -r "$(cat /tmp/rid)" --self-contained false -p:UseAppHost=false -o /app
RUN mkdir -p /app/models && if [ -d models ]; then cp -r models/. /app/models/; fi

# ---- runtime: the CPU image ------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime
ARG APP_UID=1654
WORKDIR /app
# The only writable paths under a read-only root: /tmp (mount a tmpfs) and the demo-weights cache.
RUN mkdir -p /var/cache/inference && chown "$APP_UID:$APP_UID" /var/cache/inference
# The system libjpeg-turbo (SIMD; Debian libturbojpeg0, Ubuntu libturbojpeg) decodes JPEGs in about 0.6x the time of
# Skia's copy, with the same bytes. Where apt cannot fetch it, the image still builds and Skia decodes (logged at start).
RUN ldconfig -p | grep -q libturbojpeg.so.0 \
 || (apt-get update -qq && (apt-get install -y -qq --no-install-recommends libturbojpeg0 \
      || apt-get install -y -qq --no-install-recommends libturbojpeg)) \
 || echo "libturbojpeg not installed: Skia decodes JPEG"; rm -rf /var/lib/apt/lists/*
# ORT_DISABLE_TELEMETRY: ONNX Runtime 1.32 otherwise starts its telemetry at start-up and, under a read-only root,
# fails to persist a device ID (a warning; the service routes ORT's log lines through its own JSON logger).
ENV ASPNETCORE_HTTP_PORTS= \
    ASPNETCORE_URLS= \
    ORT_DISABLE_TELEMETRY=1 \
    Inference__ModelRepository=/app/models \
    Inference__DemoWeightsCache=/var/cache/inference
COPY --from=build /app /app
USER ${APP_UID}:${APP_UID}
# 8080: REST, OIP REST, /metrics, health (HTTP/1.1 + HTTP/2). 8081: gRPC (HTTP/2 only).
EXPOSE 8080 8081
STOPSIGNAL SIGTERM
# No curl in the ASP.NET image: bash's /dev/tcp speaks just enough HTTP/1.0 for the readiness probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/ready HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["dotnet", "Inference.Api.dll"]

# ---- cuda: CUDA + cuDNN runtime base, GPU ONNX Runtime ---------------------------------------------
# Built only with --target cuda (BuildKit skips these stages for the default target). build-cuda restores
# Microsoft.ML.OnnxRuntime.Gpu (the central OnnxRuntimeVersion of Directory.Packages.props, the CPU package's
# version too) and publishes with its CUDA provider; the container tests build this target with the runtime
# image standing in for CUDA_IMAGE, and tests/Inference.Deploy.Tests runs the same GPU publish without Docker.
FROM build AS build-cuda
ARG CONFIGURATION=Release
RUN dotnet restore src/Inference.Api/Inference.Api.csproj -r "$(cat /tmp/rid)" -p:SelfContained=false -p:UseCuda=true \
 && dotnet publish src/Inference.Api/Inference.Api.csproj -c "$CONFIGURATION" --no-restore \
      -r "$(cat /tmp/rid)" --self-contained false -p:UseCuda=true -p:UseAppHost=false -o /app-cuda \
 && mkdir -p /app-cuda/models && if [ -d models ]; then cp -r models/. /app-cuda/models/; fi
RUN find /app-cuda -name 'libonnxruntime_providers_cuda.so' | grep -q . \
    || { echo "the GPU publish has no libonnxruntime_providers_cuda.so: is UseCuda wired to Microsoft.ML.OnnxRuntime.Gpu?"; exit 1; }

FROM ${RUNTIME_IMAGE} AS dotnet-runtime

FROM ${CUDA_IMAGE} AS cuda
ARG APP_UID=1654
COPY --from=dotnet-runtime /usr/share/dotnet /usr/share/dotnet
RUN ln -sf /usr/share/dotnet/dotnet /usr/bin/dotnet \
 && (getent group "$APP_UID" >/dev/null || groupadd --gid "$APP_UID" app) \
 && (getent passwd "$APP_UID" >/dev/null || useradd --uid "$APP_UID" --gid "$APP_UID" --no-create-home --shell /usr/sbin/nologin app) \
 && mkdir -p /var/cache/inference && chown "$APP_UID:$APP_UID" /var/cache/inference
WORKDIR /app
# As in the CPU image: the SIMD libjpeg-turbo where apt can fetch it (Ubuntu: libturbojpeg), else Skia decodes.
RUN ldconfig -p | grep -q libturbojpeg.so.0 \
 || (apt-get update -qq && (apt-get install -y -qq --no-install-recommends libturbojpeg \
      || apt-get install -y -qq --no-install-recommends libturbojpeg0)) \
 || echo "libturbojpeg not installed: Skia decodes JPEG"; rm -rf /var/lib/apt/lists/*
ENV DOTNET_ROOT=/usr/share/dotnet \
    DOTNET_RUNNING_IN_CONTAINER=true \
    DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=true \
    ORT_DISABLE_TELEMETRY=1 \
    Inference__ModelRepository=/app/models \
    Inference__DemoWeightsCache=/var/cache/inference \
    Inference__ExecutionProvider=cuda \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
COPY --from=build-cuda /app-cuda /app
USER ${APP_UID}:${APP_UID}
EXPOSE 8080 8081
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=90s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/ready HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["dotnet", "Inference.Api.dll"]

# ---- default target: the CPU image (last stage, so a plain `docker build` gives it) ----------------
FROM runtime AS final
