# One image, one binary: the frontend is compiled into the backend (feature
# `embed-frontend`). Build: `docker build -t pollscope .`; run:
# `docker run --rm -p 8080:8080 pollscope --public-host pollscope.example.org`.
# (Not built by the test command: this machine has no container runtime. The two stages
# run exactly the commands `cargo xtask test` runs and checks on the host.)

# Stage 1: the release frontend (trunk, wasm-bindgen, binaryen's wasm-opt from npm), then
# the backend with it embedded.
FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo xtask dist \
 && cargo install --locked --path backend --features embed-frontend --root /out

# Stage 2: the binary alone, as an unprivileged user.
FROM debian:bookworm-slim
COPY --from=build /out/bin/pollscope /usr/local/bin/pollscope
USER nobody
EXPOSE 8080
# Listen on every interface inside the container; publish the port to choose who reaches it.
ENTRYPOINT ["pollscope", "--bind", "0.0.0.0:8080"]
